import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Server
@testable import Translation

/// A clock tests can move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

/// Test-only translator: tags each piece of text (after markup and protected spans are cut out, as the real backend
/// does), so tests see that routing, shapes, counts and options are right. A text holding `[cut]` comes back flagged
/// as truncated, as a real translation cut at its step budget would.
/// Never served by `csanmt serve`.
struct EchoTranslator: Translator {
    let directions = [LanguagePair(source: "zh", target: "en")]
    let description = "echo (tests only)"
    let cacheIdentity = "echo"
    func translate(_ job: TranslationJob) async throws -> [TranslatedText] {
        // Markup and protected spans are handled as the real backend does; each piece is tagged.
        await job.translatingPieces { pieces in pieces.map { TranslatedText(text: "[en] " + $0, truncated: $0.contains("[cut]")) } }
    }
}

/// A server environment on a temporary database, with two tenants and an admin.
struct TestServer {
    let dir: URL
    let clock = TestClock()
    let env: ServerEnvironment
    let auditPath: String

    /// `isolationDefaults: false` (the default) lifts the tenant defaults of rate limits and requests in flight,
    /// so suites about other things can send many requests at once; the isolation tests pass `true`.
    init(config: ServerConfig = ServerConfig(), dbDirectory: URL? = nil, translator: (any Translator)? = nil,
         quota: (any QuotaCounter)? = nil, redis: RedisClient? = nil, rateLimiter: (any RateLimiter)? = nil,
         metrics: ServerMetrics = ServerMetrics(), isolationDefaults: Bool = false, audit: AuditLog? = nil,
         store: (any TenantStore)? = nil) async throws {
        var config = config
        if !isolationDefaults {
            config.tenantRequestsPerSecond = 0
            config.tenantCharactersPerMinute = 0
            config.tenantMaxInFlight = 0
            config.tenantMaxQueuedSentences = 0
        }
        dir = dbDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        auditPath = dir.appendingPathComponent("audit.log").path
        let clock = self.clock
        // The server's own wiring (ServerBuilder), with a temporary SQLite store on the test clock unless a test
        // gives another store, and the audit lines in a file the tests read.
        var builder = ServerBuilder(config: config, translator: translator ?? EchoTranslator(), metrics: metrics, now: { clock.now })
        if let store { builder.store = store } else { builder.store = try await Self.makeStore(dir: dir, clock: clock) }
        builder.audit = try audit ?? AuditLog(.init(path: auditPath))
        builder.quota = quota
        builder.redis = redis
        builder.rateLimiter = rateLimiter
        env = try await builder.build()
    }

    var store: any TenantStore { env.store }

    /// The store every server test runs on: SQLite, or PostgreSQL with `CSANMT_TEST_STORE=postgres` (and
    /// `CSANMT_TEST_POSTGRES_URL`), which `.ci/run` sets for a second run of the server suites.
    static let backend: StoreBackend =
        ProcessInfo.processInfo.environment["CSANMT_TEST_STORE"] == "postgres" && StoreBackend.postgresURL != nil ? .postgres : .sqlite

    /// The folder's store: its SQLite file, or the PostgreSQL schema named in it (made by the first server on the
    /// folder, so a second one shares it, as replicas do).
    static func makeStore(dir: URL, clock: TestClock) async throws -> any TenantStore {
        guard backend == .postgres else {
            return try SQLiteTenantStore(path: dir.appendingPathComponent("tenants.sqlite").path, now: { clock.now })
        }
        let schemaFile = dir.appendingPathComponent("postgres-schema"), keyFile = dir.appendingPathComponent("master-key")
        if !FileManager.default.fileExists(atPath: schemaFile.path) {
            try await StoreBackend.newSchema().write(to: schemaFile, atomically: true, encoding: .utf8)
            try MasterKeyring.newKeyText().write(to: keyFile, atomically: true, encoding: .utf8)
        }
        var url = try PostgresURL(StoreBackend.postgresURL!)
        url.searchPath = try String(contentsOf: schemaFile, encoding: .utf8)
        url.poolSize = 3   // a test's store is never closed: keep what it holds small
        return try await PostgresTenantStore.open(url, keyring: try MasterKeyring.parse(fileText: String(contentsOf: keyFile, encoding: .utf8)),
                                                  now: { clock.now })
    }
    func app() -> some ApplicationProtocol { Application(router: ServerApp.makeRouter(env)) }

    /// Creates a tenant with a key; returns the plaintext key.
    @discardableResult
    func tenant(_ id: String, scopes: [Scope] = [.translateBasic, .translateBatch, .usageRead], allowedIPs: [String] = [],
                dailyRequests: Int? = nil, dailyCharacters: Int? = nil, limits: TenantLimits = TenantLimits(),
                keyLimits: KeyLimits = KeyLimits()) async throws -> String {
        if try await store.tenant(id) == nil {
            try await store.createTenant(id: id, name: "Tenant \(id)", scopes: scopes, dailyRequests: dailyRequests,
                                   dailyCharacters: dailyCharacters, allowedIPs: allowedIPs, limits: limits)
        }
        return try await store.createKey(tenantID: id, limits: keyLimits).1
    }

    /// Creates an operator; returns its plaintext key (exchange it with ``TestClientProtocol/operatorToken(_:_:)``).
    func operatorKey(_ id: String = "root") async throws -> String { try await store.createOperator(id: id, name: "Operator \(id)").1 }

    func auditLines() throws -> [[String: Any]] {
        env.audit?.flush()
        let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

extension TestClientProtocol {
    func postJSON(_ uri: String, _ json: String, token: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/json"
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ uri: String, token: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .get, headers: headers)
    }

    /// Exchanges a key for a token; nil with the response when it fails.
    func token(_ tenant: String, _ key: String) async throws -> String? {
        let r = try await postJSON("/api/v1/auth/token", #"{"tenant_id": "\#(tenant)", "api_key": "\#(key)"}"#)
        return (r.json?["token"] as? String)
    }
}

extension TestClientProtocol {
    /// Exchanges an operator key for an operator token.
    func operatorToken(_ id: String, _ key: String) async throws -> String? {
        let r = try await postJSON("/api/v1/auth/operator-token", #"{"operator_id": "\#(id)", "api_key": "\#(key)"}"#)
        return (r.json?["token"] as? String)
    }
}

extension TestResponse {
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] }
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var text: String { String(buffer: body) }
}
