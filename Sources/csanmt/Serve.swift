import ArgumentParser
import Foundation
import Logging
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP translation service.",
        discussion: """
            Settings come from built-in defaults, then --config FILE (JSON), then CSANMT_* environment variables \
            (e.g. CSANMT_PORT, CSANMT_TRUSTED_PROXIES=10.0.0.1,10.0.0.2), then these flags. Secrets are never \
            taken from flags. See docs/server.md.

            Quick start:
              csanmt tenant create --db csanmt.sqlite --id org_mkt_001 --name Marketing
              csanmt key create --db csanmt.sqlite --tenant org_mkt_001
              csanmt serve --db csanmt.sqlite --port 8080
            """)

    @Option(name: .long, help: ArgumentHelp("Model folder (default: the shipped model).", valueName: "DIR")) var model: String?
    @Option(name: .long, help: ArgumentHelp("Tenant database (SQLite).", valueName: "PATH")) var db: String?
    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(name: .long, help: "Port (default 8080).") var port: Int?
    @Option(name: .long, help: ArgumentHelp("Redis URL for shared quota counters (not used yet: see docs/server.md).", valueName: "URL"))
    var redis: String?
    @Option(name: .customLong("audit-log"), help: ArgumentHelp("Audit log file (JSON lines, rotated by size).", valueName: "PATH"))
    var auditLog: String?
    @Flag(name: .customLong("audit-stdout"), help: "Also write audit lines to stdout.") var auditStdout = false
    @Option(name: .long, help: ArgumentHelp("JSON config file.", valueName: "FILE")) var config: String?

    func run() async throws {
        var settings: ServerConfig
        do { settings = try ServerConfig.load(file: config, environment: ProcessInfo.processInfo.environment) } catch {
            throw CLIError(message: "\(error)")
        }
        if let db { settings.db = db }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let model { settings.model = model }
        if let auditLog { settings.auditLog = auditLog }
        if auditStdout { settings.auditStdout = true }
        do { try settings.validate() } catch { throw CLIError(message: "\(error)") }
        var logger = Logger(label: "csanmt")
        logger.logLevel = .info
        if redis != nil {
            logger.warning("--redis is accepted but quotas are not enforced yet; this server counts nothing")
        }
        let translator = try loadTranslator(try DefaultModel.resolve(settings.model))
        let env: ServerEnvironment
        do {
            let store = try TenantStore(path: settings.db)
            let audit = (settings.auditLog != nil || settings.auditStdout)
                ? try AuditLog(.init(path: settings.auditLog, stdout: settings.auditStdout, maxBytes: settings.auditMaxBytes)) : nil
            env = try ServerEnvironment(config: settings, store: store, translator: translator, audit: audit)
        } catch {
            throw CLIError(message: "\(error)")
        }
        let tenantCount = (try? env.store.tenants().count) ?? 0
        logger.info("model \(translator.description); tenants in \(settings.db); \(tenantCount) tenant(s)")
        try await ServerApp.run(env, logger: logger)
    }

    func loadTranslator(_ dir: URL) throws -> EngineTranslator {
        do { return try EngineTranslator(modelDirectory: dir) } catch { throw CLIError(message: "cannot load model: \(error)") }
    }
}
