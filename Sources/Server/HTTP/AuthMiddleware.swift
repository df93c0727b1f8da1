import Hummingbird

/// Requires `Authorization: Bearer <jwt>`, verifies it, and enforces the tenant's IP allow-list.
/// Scopes and target tenants are checked by the handlers (``AppContext/require(_:)``,
/// ``AppContext/requireManager(of:)``, ``AppContext/requireOperator()``).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let tokens: TokenService
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.missingCredentials }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { throw APIError.malformedAuthorization }
        let principal = try await tokens.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
        switch principal {
        case .tenant(let identity):
            context.audit.tenant = identity.tenant
            context.audit.keyID = identity.keyID
            try checkAllowList(identity.tenant, request: request, context: context, resolver: resolver)
        case .operator(let op):
            context.audit.operatorID = op.operatorID
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}

/// 403 `ip_not_allowed` unless the client address is in the tenant's allow-list (an empty list allows all).
func checkAllowList(_ tenant: Tenant, request: Request, context: AppContext, resolver: ClientAddressResolver) throws {
    guard !tenant.allowedIPs.isEmpty else { return }
    let ip = resolver.clientIP(peer: context.remoteAddress, headers: request.headers)
    let allowed = tenant.allowedIPs.compactMap(CIDR.init)
    guard let ip, allowed.contains(where: { $0.contains(ip) }) else {
        throw APIError.ipNotAllowed(ip?.description ?? "an unknown address")
    }
}

extension AppContext {
    /// The verified tenant caller, holding `scope`; throws 401/403 otherwise (an operator is refused: it has no
    /// tenant to act as).
    func require(_ scope: Scope) throws -> Identity {
        switch principal {
        case nil: throw APIError.missingCredentials
        case .operator: throw APIError.operatorNotTenant
        case .tenant(let identity):
            guard identity.scopes.contains(scope) else { throw APIError.insufficientScope(scope) }
            return identity
        }
    }

    /// An operator, or a tenant admin (`tenant:admin`) of `tenantID`; 403 for anyone else. Records the target
    /// tenant in the audit line.
    func requireManager(of tenantID: String) throws -> TenantManager {
        switch principal {
        case nil: throw APIError.missingCredentials
        case .operator(let op):
            audit.targetTenant = tenantID
            return .operator(op)
        case .tenant(let identity):
            guard identity.scopes.contains(.tenantAdmin) else { throw APIError.insufficientScope(.tenantAdmin) }
            guard identity.tenant.id == tenantID else { throw APIError.tenantMismatch }
            audit.targetTenant = tenantID
            return .tenantAdmin(identity)
        }
    }

    /// The tenant caller holding `scope`, who must be the tenant named in the path.
    func requireTenant(_ pathTenant: String, _ scope: Scope) throws -> Identity {
        let identity = try require(scope)
        guard identity.tenant.id == pathTenant else { throw APIError.tenantMismatch }
        return identity
    }

    /// An operator or a tenant admin of any tenant (for lists, which the handler then narrows to what the caller
    /// may see).
    func requireManager() throws -> TenantManager {
        switch principal {
        case nil: throw APIError.missingCredentials
        case .operator(let op): return .operator(op)
        case .tenant(let identity):
            guard identity.scopes.contains(.tenantAdmin) else { throw APIError.insufficientScope(.tenantAdmin) }
            return .tenantAdmin(identity)
        }
    }

    /// The tenant a list (keys, audit) is narrowed to: whatever an operator asks for (nil: every tenant), a tenant
    /// admin's own tenant (asking for another is 403 `tenant_mismatch`).
    func listedTenant(asked: String?) throws -> String? {
        switch try requireManager() {
        case .operator: return asked
        case .tenantAdmin(let identity):
            let tenant = asked ?? identity.tenant.id
            _ = try requireManager(of: tenant)
            return tenant
        }
    }

    /// The tenants a manager's lists show: every one for an operator, its own for a tenant admin.
    func listedTenants(_ store: any TenantStore) async throws -> [Tenant] {
        switch try requireManager() {
        case .operator: return try await store.tenants()
        case .tenantAdmin(let identity): return try await store.tenant(identity.tenant.id).map { [$0] } ?? []
        }
    }

    /// An operator; 403 `operator_required` for a tenant's token.
    func requireOperator() throws -> OperatorIdentity {
        switch principal {
        case nil: throw APIError.missingCredentials
        case .operator(let op): return op
        case .tenant: throw APIError.operatorRequired
        }
    }
}
