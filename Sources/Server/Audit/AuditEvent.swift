import Foundation

/// One audit line. Holds identifiers and counts only: never texts, translations, keys or tokens.
public struct AuditEvent: Codable, Sendable, Equatable {
    public var time: Date
    public var requestID: String
    public var clientIP: String?
    public var tenantID: String?
    public var tenantName: String?
    public var keyID: String?
    public var method: String
    public var path: String
    public var status: Int
    public var latencyMs: Double
    public var characters: Int?
    /// The error code of a failed request.
    public var error: String?
    /// For admin actions and system events: what was done (e.g. `tenant.create`, `key.revoke`).
    public var action: String?
    /// The object of `action` (a tenant or key id).
    public var target: String?
    /// Translation cache outcome: `hit` (every text), `partial`, or `miss`.
    public var cache: String?
    /// For admin writes: each changed field's value before and after, as JSON text (never secrets).
    public var changes: [String: FieldChange]?
    /// Who acted: `cli` for `csanmt tenant|key|operator ...`, `operator` for an operator token (tenant callers are
    /// identified by tenant and key).
    public var actor: String?
    /// The operator who acted (operator tokens; `actor` is then `operator`).
    public var operatorID: String?
    /// The tenant an admin action concerns (a key's tenant for key actions), so that tenant's admins see it.
    public var targetTenant: String?
    /// The operating-system user who ran the CLI (and `SUDO_USER` when run through sudo).
    public var osUser: String?
    /// Translations: how many texts were cut (a chunk's decoding ran out of steps); absent when none was.
    public var truncated: Int?

    public init(time: Date, requestID: String, clientIP: String? = nil, tenantID: String? = nil, tenantName: String? = nil,
                keyID: String? = nil, method: String, path: String, status: Int, latencyMs: Double,
                characters: Int? = nil, error: String? = nil, action: String? = nil, target: String? = nil,
                cache: String? = nil, changes: [String: FieldChange]? = nil, actor: String? = nil, osUser: String? = nil,
                operatorID: String? = nil, targetTenant: String? = nil, truncated: Int? = nil) {
        self.truncated = truncated
        self.operatorID = operatorID
        self.targetTenant = targetTenant
        self.changes = changes
        self.actor = actor
        self.osUser = osUser
        self.time = time
        self.requestID = requestID
        self.clientIP = clientIP
        self.tenantID = tenantID
        self.tenantName = tenantName
        self.keyID = keyID
        self.method = method
        self.path = path
        self.status = status
        self.latencyMs = latencyMs
        self.characters = characters
        self.error = error
        self.action = action
        self.target = target
        self.cache = cache
    }

    enum CodingKeys: String, CodingKey {
        case time, method, path, status, characters, error, action, target, cache, changes, actor, truncated
        case osUser = "os_user", operatorID = "operator_id", targetTenant = "target_tenant"
        case requestID = "request_id", clientIP = "client_ip", tenantID = "tenant_id", tenantName = "tenant_name"
        case keyID = "key_id", latencyMs = "latency_ms"
    }
}
