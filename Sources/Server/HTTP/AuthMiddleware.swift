import Hummingbird

/// Requires `Authorization: Bearer <jwt>`, verifies it, and enforces the tenant's IP allow-list.
/// Scopes and path tenants are checked by the handlers (``AppContext/require(_:)``).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let tokens: TokenService
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.missingCredentials }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { throw APIError.malformedAuthorization }
        let identity = try await tokens.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
        context.audit.tenant = identity.tenant
        context.audit.keyID = identity.keyID
        try checkAllowList(identity.tenant, request: request, context: context, resolver: resolver)
        var context = context
        context.identity = identity
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
    /// The verified caller, holding `scope`; throws 401/403 otherwise.
    func require(_ scope: Scope) throws -> Identity {
        guard let identity else { throw APIError.missingCredentials }
        guard identity.scopes.contains(scope) else { throw APIError.insufficientScope(scope) }
        return identity
    }

    /// The caller, who must be the tenant named in the path.
    func requireTenant(_ pathTenant: String, _ scope: Scope) throws -> Identity {
        let identity = try require(scope)
        guard identity.tenant.id == pathTenant else { throw APIError.tenantMismatch }
        return identity
    }
}
