import Foundation
import Hummingbird

/// An API key as the admin API and the audit trail show it: never the hash.
public struct KeyView: Codable, Sendable, Equatable {
    public let id: String
    public let tenantID: String
    public let prefix: String
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let expiresAt: Date?
    public let revokedAt: Date?
    public let limits: KeyLimits
    /// nil: the tenant's scopes.
    public let scopes: [Scope]?
    enum CodingKeys: String, CodingKey {
        case id, prefix, limits, scopes
        case tenantID = "tenant_id", createdAt = "created_at", lastUsedAt = "last_used_at"
        case expiresAt = "expires_at", revokedAt = "revoked_at"
    }
    public init(_ k: APIKey) {
        id = k.id; tenantID = k.tenantId; prefix = k.prefix; createdAt = k.createdAt
        lastUsedAt = k.lastUsedAt; expiresAt = k.expiresAt; revokedAt = k.revokedAt; limits = k.limits; scopes = k.scopes
    }
}

/// A tenant as the admin API shows it: its record (with its own `limits`) and the `effective_limits` in force.
struct TenantView: Encodable, Sendable {
    let tenant: Tenant
    let effective: EffectiveLimits
    init(_ t: Tenant, _ defaults: IsolationDefaults) {
        tenant = t
        effective = t.limits.resolved(defaults)
    }
    enum Extra: String, CodingKey { case effectiveLimits = "effective_limits" }
    func encode(to encoder: Encoder) throws {
        try tenant.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(effective, forKey: .effectiveLimits)
    }
}

struct CreateTenantBody: ClosedBody, Sendable {
    static var fields: [String] { CodingKeys.allCases.map(\.stringValue) }
    let id: String
    let name: String
    let scopes: [Scope]?
    let dailyRequests: Int?
    let dailyCharacters: Int?
    let allowedIPs: [String]?
    let enabled: Bool?
    /// Decoded as changes so that unknown keys are refused, then applied to no limits.
    let limits: TenantLimitChanges?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, scopes, enabled, limits
        case dailyRequests = "daily_requests", dailyCharacters = "daily_characters", allowedIPs = "allowed_ips"
    }
}

/// PATCH body: absent fields stay; `null` quotas mean unlimited.
struct UpdateTenantBody: ClosedBody, Sendable {
    static var fields: [String] { CodingKeys.allCases.map(\.stringValue) }
    let changes: TenantChanges
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, enabled, scopes, limits
        case dailyRequests = "daily_requests", dailyCharacters = "daily_characters", allowedIPs = "allowed_ips"
    }
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func quota(_ key: CodingKeys) throws -> Int?? {
            guard c.contains(key) else { return nil }
            return .some(try c.decodeNil(forKey: key) ? nil : try c.decode(Int.self, forKey: key))
        }
        changes = .init(name: try c.decodeIfPresent(String.self, forKey: .name),
                        enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled),
                        scopes: try c.decodeIfPresent([Scope].self, forKey: .scopes),
                        dailyRequests: try quota(.dailyRequests), dailyCharacters: try quota(.dailyCharacters),
                        allowedIPs: try c.decodeIfPresent([String].self, forKey: .allowedIPs),
                        limits: try c.decodeIfPresent(TenantLimitChanges.self, forKey: .limits))
    }
}

struct CreateKeyBody: ClosedBody, Sendable {
    static var fields: [String] { CodingKeys.allCases.map(\.stringValue) }
    /// Absent: the server's `key_expiry_days`; `null`: never.
    let expiresInDays: Int??
    let limits: KeyLimits?
    /// A subset of the tenant's scopes (absent: the tenant's).
    let scopes: [Scope]?
    enum CodingKeys: String, CodingKey, CaseIterable { case expiresInDays = "expires_in_days", limits, scopes }
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        expiresInDays = c.contains(.expiresInDays) ? .some(try c.decodeNil(forKey: .expiresInDays) ? nil : try c.decode(Int.self, forKey: .expiresInDays)) : nil
        limits = try c.decodeIfPresent(KeyLimits.self, forKey: .limits)
        scopes = try c.decodeIfPresent([Scope].self, forKey: .scopes)
    }
}

/// PATCH body of a key: its own rate limits, replaced whole (`{}` removes them).
struct UpdateKeyBody: ClosedBody, Sendable {
    static let fields = ["limits"]
    let limits: KeyLimits
}

struct CreatedKey: Encodable, Sendable {
    let key: KeyView
    /// The plaintext key: shown once, never stored.
    let apiKey: String
    enum CodingKeys: String, CodingKey { case key, apiKey = "api_key" }
}

struct SigningKeyView: Encodable, Sendable {
    let kid: String
    let tenantID: String
    let createdAt: Date
    enum CodingKeys: String, CodingKey { case kid, tenantID = "tenant_id", createdAt = "created_at" }
}

struct TenantList: Encodable, Sendable { let tenants: [TenantView] }
struct KeyList: Encodable, Sendable { let keys: [KeyView] }

extension ServerApp {
    /// `/api/v1/admin/...`: tenant and key management. Operators act on every tenant; a tenant admin
    /// (`tenant:admin`) on its own tenant's keys, signing key, name and IP allow-list, never on its quotas, limits,
    /// scopes or state, and never on another tenant. Every action is audited.
    static func addAdminRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        let store = env.store
        @Sendable func audit(_ context: AppContext, _ action: String, _ target: String?) {
            context.audit.action = action
            context.audit.target = target
        }
        /// The key `id`, if the caller may manage its tenant.
        @Sendable func managedKey(_ context: AppContext, _ id: String) async throws -> APIKey {
            _ = try context.requireManager()
            guard let key = try await store.key(id) else { throw APIError.notFound("no key '\(id)'") }
            _ = try context.requireManager(of: key.tenantId)
            return key
        }
        router.get("tenants") { _, context in
            audit(context, "tenant.list", nil)
            return JSONResponse(TenantList(tenants: try await context.listedTenants(store).map { TenantView($0, env.isolationDefaults) }))
        }
        router.post("tenants") { request, context in
            audit(context, "tenant.create", nil)
            _ = try context.requireOperator()
            let b = try await request.decodeJSON(CreateTenantBody.self, limit: 64 << 10)
            context.audit.target = b.id
            context.audit.targetTenant = b.id
            let t = try await store.createTenant(id: b.id, name: b.name, scopes: b.scopes ?? [.translateBasic, .translateBatch, .usageRead],
                                           dailyRequests: b.dailyRequests, dailyCharacters: b.dailyCharacters,
                                           allowedIPs: b.allowedIPs ?? [], enabled: b.enabled ?? true,
                                           limits: b.limits?.applied(to: TenantLimits()) ?? TenantLimits())
            context.audit.changes = FieldChange.diff(nil, t)
            return JSONResponse(TenantView(t, env.isolationDefaults), status: .created)
        }
        router.get("tenants/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            audit(context, "tenant.show", id)
            _ = try context.requireManager(of: id)
            guard let t = try await store.tenant(id) else { throw APIError.notFound("no tenant '\(id)'") }
            return JSONResponse(TenantView(t, env.isolationDefaults))
        }
        router.patch("tenants/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            audit(context, "tenant.update", id)
            let manager = try context.requireManager(of: id)
            let b = try await request.decodeJSON(UpdateTenantBody.self, limit: 64 << 10)
            if !manager.isOperator, !b.changes.onlyTenantAdminFields { throw APIError.operatorRequired }
            let (before, after) = try await store.updateTenantReturningPrevious(id, b.changes)
            context.audit.changes = FieldChange.diff(before, after)
            return JSONResponse(TenantView(after, env.isolationDefaults))
        }
        router.get("tenants/:id/keys") { _, context in
            let id = context.parameters.get("id") ?? ""
            audit(context, "key.list", id)
            _ = try context.requireManager(of: id)
            guard try await store.tenant(id) != nil else { throw APIError.notFound("no tenant '\(id)'") }
            return JSONResponse(KeyList(keys: try await store.keys(tenantID: id).map(KeyView.init)))
        }
        router.post("tenants/:id/keys") { request, context in
            let id = context.parameters.get("id") ?? ""
            audit(context, "key.create", id)
            _ = try context.requireManager(of: id)
            let b = try await request.decodeJSON(CreateKeyBody.self, limit: 16 << 10)
            let expiry = b.expiresInDays ?? (env.config.keyExpiryDays == 0 ? nil : env.config.keyExpiryDays)
            let (key, plaintext) = try await store.createKey(tenantID: id, expiresInDays: expiry, limits: b.limits ?? KeyLimits(),
                                                       scopes: b.scopes)
            context.audit.target = key.id
            context.audit.changes = FieldChange.diff(nil, KeyView(key))   // the view: never the hash or the key
            return JSONResponse(CreatedKey(key: KeyView(key), apiKey: plaintext), status: .created)
        }
        router.post("tenants/:id/signing-keys/rotate") { request, context in
            let id = context.parameters.get("id") ?? ""
            audit(context, "signing_key.rotate", id)
            _ = try context.requireManager(of: id)
            let immediate = request.uri.queryParameters.get("immediate") == "true"
            let k = try await store.rotateSigningKey(tenantID: id, immediate: immediate, grace: env.config.signingKeyGrace)
            if immediate { context.audit.action = "signing_key.rotate_immediate" }
            context.audit.changes = ["kid": FieldChange(before: nil, after: "\"\(k.kid)\"")]   // the id, never the secret
            return JSONResponse(SigningKeyView(kid: k.kid, tenantID: k.tenantId, createdAt: k.createdAt), status: .created)
        }
        router.get("keys") { request, context in
            let asked = request.uri.queryParameters.get("tenant").flatMap { $0.isEmpty ? nil : String($0) }
            audit(context, "key.list", asked)
            let tenant = try context.listedTenant(asked: asked)
            return JSONResponse(KeyList(keys: try await store.keys(tenantID: tenant).map(KeyView.init)))
        }
        router.patch("keys/:key_id") { request, context in
            let id = context.parameters.get("key_id") ?? ""
            audit(context, "key.update", id)
            _ = try await managedKey(context, id)
            let b = try await request.decodeJSON(UpdateKeyBody.self, limit: 16 << 10)
            let (before, after) = try await store.setKeyLimits(id, b.limits)
            context.audit.changes = FieldChange.diff(KeyView(before), KeyView(after))
            return JSONResponse(KeyView(after))
        }
        router.post("keys/:key_id/revoke") { _, context in
            let id = context.parameters.get("key_id") ?? ""
            audit(context, "key.revoke", id)
            let before = try await managedKey(context, id)
            let after = try await store.revokeKey(id)
            context.audit.changes = FieldChange.diff(KeyView(before), KeyView(after))
            return JSONResponse(KeyView(after))
        }
    }
}
