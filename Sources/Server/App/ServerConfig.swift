import Foundation

/// Service settings. Sources, later ones winning: built-in defaults, a JSON config file, `CSANMT_*` environment
/// variables, command-line flags. Secrets are never taken from flags (they would show in `ps`).
public struct ServerConfig: Codable, Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// SQLite database of tenants and keys.
    public var db = "csanmt.sqlite"
    /// Model folder; nil = the default model.
    public var model: String?
    /// Audit log file; nil = none.
    public var auditLog: String?
    public var auditStdout = false
    public var auditMaxBytes = 50 << 20
    /// CIDRs of reverse proxies whose X-Forwarded-For is trusted.
    public var trustedProxies: [String] = []
    /// Origins allowed by CORS (exact match, e.g. `https://translate.example.com`).
    public var corsOrigins: [String] = []
    public var tokenIssuer = "csanmt"
    public var tokenAudience = "csanmt-api"
    /// Access-token lifetime in seconds (24 h).
    public var tokenLifetime: Double = 86_400
    /// How long tokens signed with a rotated-out key keep verifying, in seconds.
    public var signingKeyGrace: Double = 86_400
    /// Largest request body in bytes.
    public var maxBodyBytes = 1 << 20
    /// Largest text per request, in Unicode code points.
    public var maxCharacters = 5_000
    /// Most texts in one batch request.
    public var maxBatchItems = 100

    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, db, model
        case auditLog = "audit_log", auditStdout = "audit_stdout", auditMaxBytes = "audit_max_bytes"
        case trustedProxies = "trusted_proxies", corsOrigins = "cors_origins", tokenIssuer = "token_issuer"
        case tokenAudience = "token_audience", tokenLifetime = "token_lifetime", signingKeyGrace = "signing_key_grace"
        case maxBodyBytes = "max_body_bytes", maxCharacters = "max_characters", maxBatchItems = "max_batch_items"
    }

    /// Decodes a config file; keys absent from the file keep their defaults.
    public static func load(file: String?, environment: [String: String]) throws -> ServerConfig {
        var config = ServerConfig()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw StoreError.invalid("cannot read config file \(file)") }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw StoreError.invalid("\(file): not a JSON object")
            }
            try config.apply(object.mapValues { $0 }, source: file)
        }
        var fromEnv: [String: Any] = [:]
        for key in CodingKeys.allNames {
            if let text = environment["CSANMT_" + key.uppercased()] { fromEnv[key] = try envValue(key, text) }
        }
        try config.apply(fromEnv, source: "environment")
        try config.validate()
        return config
    }

    /// Range checks, naming the setting at fault.
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ range: String) throws {
            if !ok { throw StoreError.invalid("setting '\(key)' must be \(range)") }
        }
        try check((1...65_535).contains(port), "port", "1-65535")
        try check((60...2_592_000).contains(tokenLifetime), "token_lifetime", "60-2592000 seconds")
        try check((0...2_592_000).contains(signingKeyGrace), "signing_key_grace", "0-2592000 seconds")
        try check((1_024...(256 << 20)).contains(maxBodyBytes), "max_body_bytes", "1024 bytes to 256 MiB")
        try check((1...10_000_000).contains(maxCharacters), "max_characters", "1-10000000")
        try check((1...10_000).contains(maxBatchItems), "max_batch_items", "1-10000")
        try check(auditMaxBytes >= 4_096, "audit_max_bytes", "at least 4096")
        for p in trustedProxies where CIDR(p) == nil { throw StoreError.invalid("trusted_proxies: '\(p)' is not an address or CIDR") }
    }

    /// Converts an environment string to the setting's JSON type.
    static func envValue(_ key: String, _ text: String) throws -> Any {
        switch key {
        case "host", "db", "model", "audit_log", "token_issuer", "token_audience": return text
        case "trusted_proxies", "cors_origins":
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "audit_stdout":
            guard let b = ["true": true, "1": true, "false": false, "0": false][text.lowercased()] else {
                throw StoreError.invalid("CSANMT_AUDIT_STDOUT must be true or false")
            }
            return b
        default:
            guard let n = Double(text) else { throw StoreError.invalid("CSANMT_\(key.uppercased()) must be a number") }
            return n
        }
    }

    /// Overlays `values` (JSON-typed) onto this config; unknown keys are errors.
    mutating func apply(_ values: [String: Any], source: String) throws {
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        for (key, value) in values {
            guard CodingKeys.allNames.contains(key) else { throw StoreError.invalid("\(source): unknown setting '\(key)'") }
            merged[key] = value
        }
        do {
            self = try JSONDecoder().decode(ServerConfig.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw StoreError.invalid("\(source): invalid setting (\(error))")
        }
    }
}

extension ServerConfig.CodingKeys {
    static let allNames = ["host", "port", "db", "model", "audit_log", "audit_stdout", "audit_max_bytes", "trusted_proxies",
                           "cors_origins", "token_issuer", "token_audience", "token_lifetime", "signing_key_grace",
                           "max_body_bytes", "max_characters", "max_batch_items"]
}
