import ArgumentParser
import Foundation
import Logging
import NMTEngine
import Server
import Translation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP translation service and its web UI.",
        discussion: """
            Settings come from built-in defaults, then --config FILE (JSON), then CSANMT_* environment variables \
            (e.g. CSANMT_PORT, CSANMT_REDIS=redis://10.0.0.5:6379, CSANMT_TRUSTED_PROXIES=10.0.0.1,10.0.0.2), then \
            these flags. Secrets are never taken from flags: put a Redis password in CSANMT_REDIS. See docs/server.md \
            for every setting (batching, cache, timeouts, quota_fail_mode).

            Quick start:
              csanmt tenant create --db csanmt.sqlite --id org_mkt_001 --name Marketing --daily-requests 10000
              csanmt key create --db csanmt.sqlite --tenant org_mkt_001
              csanmt serve --db csanmt.sqlite --port 8080      # web UI at http://127.0.0.1:8080/

            HTTPS without a proxy:
              csanmt serve --db csanmt.sqlite --host 0.0.0.0 --port 8443 --tls-cert cert.pem --tls-key key.pem --redirect-http 8080
              kill -HUP <pid>                                  # after renewing the certificate: new connections get it

            Several replicas: give them the same PostgreSQL database (--db postgres://…), the same master key \
            (CSANMT_MASTER_KEY) and the same --redis, and put a load balancer in front: deploy/ holds a tested nginx \
            configuration and systemd unit, and Tools/cluster/run starts such a cluster on one machine.
            """)

    @Option(name: .long, help: ArgumentHelp(
        "Model folder; repeat it to serve several directions, e.g. --model zh2en --model en2zh (default: the shipped models, zh→en and en→zh).",
        valueName: "DIR"))
    var model: [String] = []
    @Option(name: .long, help: ArgumentHelp(
        "float32 (ModelScope's exact beams) or int8 (float weights quantized at load: less memory and bandwidth per step; translations may differ slightly). Default: the weights' own type.",
        valueName: "TYPE"))
    var compute: ComputeType?
    @Option(name: .long, help: ArgumentHelp(
        "Vocabulary map: score only the target pieces it lists (faster; translations may change); one per --model, in the same order. See `csanmt vmap`.",
        valueName: "FILE"))
    var vmap: [String] = []
    @Option(name: .long, help: ArgumentHelp(
        "Tenant database: a SQLite file, or postgres://USER@HOST:PORT/DB for replicas sharing one (password from $CSANMT_DB_PASSWORD, $CSANMT_DB_PASSWORD_FILE or $PGPASSWORD, never a flag).",
        valueName: "PATH|URL"))
    var db: String?
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp(
        "PEM certificate chain: serve HTTPS only (TLS 1.2+); SIGHUP reloads it and the key.", valueName: "FILE"))
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "FILE"))
    var tlsKey: String?
    @Option(name: .customLong("redirect-http"), help: ArgumentHelp(
        "Also listen for plain HTTP on this port and redirect every request to HTTPS.", valueName: "PORT"))
    var redirectHTTP: Int?
    @Option(name: .customLong("master-key-file"), help: ArgumentHelp(
        "File of the master key that encrypts signing secrets (default: $CSANMT_MASTER_KEY, else <db>.master-key).", valueName: "FILE"))
    var masterKeyFile: String?
    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(name: .long, help: "Port (default 8080).") var port: Int?
    @Option(name: .customLong("metrics-port"), help: "Port of the /metrics listener on metrics_host (default 9464 on 127.0.0.1; 0 = off).")
    var metricsPort: Int?
    @Option(name: .long, help: ArgumentHelp(
        "Redis URL for quota counters, rate limits and revoked tokens shared by replicas, and the translation cache unless --redis-cache (default: in-process counters).",
        valueName: "URL"))
    var redis: String?
    @Option(name: .customLong("redis-cache"), help: ArgumentHelp(
        "A separate Redis for the shared translation cache (an LRU one; the counters' must never evict).", valueName: "URL"))
    var redisCache: String?
    @Option(name: .customLong("quota-fail-mode"), help: ArgumentHelp(
        "When Redis is down: fail-closed (503) or fail-open (count locally, reconcile later). Default fail-closed.",
        valueName: "MODE"))
    var quotaFailMode: String?
    @Flag(name: .customLong("no-batching"), help: "Translate each sentence alone instead of merging concurrent requests.")
    var noBatching = false
    @Option(name: .long, help: "Engine worker threads (default: one per core).") var workers: Int?
    @Option(name: .customLong("audit-log"), help: ArgumentHelp("Audit log file (JSON lines, rotated by size).", valueName: "PATH"))
    var auditLog: String?
    @Flag(name: .customLong("audit-stdout"), help: "Also write audit lines to stdout.") var auditStdout = false
    @Option(name: .long, help: ArgumentHelp("JSON config file.", valueName: "FILE")) var config: String?

    func run() async throws {
        limitMallocArenas()   // first, before the model and the server start their threads
        var settings: ServerConfig
        do { settings = try ServerConfig.load(file: config, environment: ProcessInfo.processInfo.environment) } catch {
            throw CLIError(message: "\(error)")
        }
        if let db {
            try refusePasswordInFlag(db)
            settings.db = db
        }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let metricsPort { settings.metricsPort = metricsPort }
        if !model.isEmpty { settings.model = model.joined(separator: ",") }
        if let redis {
            if (try? RedisURL(redis))?.password != nil { throw CLIError(message: "put a Redis password in CSANMT_REDIS, not in a flag") }
            settings.redis = redis
        }
        if let redisCache {
            if (try? RedisURL(redisCache))?.password != nil { throw CLIError(message: "put a Redis password in CSANMT_REDIS_CACHE, not in a flag") }
            settings.redisCache = redisCache
        }
        if let quotaFailMode { settings.quotaFailMode = quotaFailMode }
        if noBatching { settings.batching = false }
        if let workers { settings.workers = workers }
        if let auditLog { settings.auditLog = auditLog }
        if let masterKeyFile { settings.masterKeyFile = masterKeyFile }
        if let tlsCert { settings.tlsCert = tlsCert }
        if let tlsKey { settings.tlsKey = tlsKey }
        if let redirectHTTP { settings.redirectHTTPPort = redirectHTTP }
        if auditStdout { settings.auditStdout = true }
        do { try settings.validate() } catch { throw CLIError(message: "\(error)") }
        var logger = Logger(label: "csanmt")
        logger.logLevel = .info
        let metrics = ServerMetrics()
        let batching = settings.batchingOptions()
        let translator = try loadTranslators(settings.modelFolders, batching: batching, metrics: metrics)
        let env: ServerEnvironment
        do {
            env = try await ServerBuilder(config: settings, translator: translator, metrics: metrics, logger: logger).build()
        } catch {
            throw CLIError(message: "\(error)")
        }
        if let purged = try? await env.store.purgeRetiredSigningKeys(grace: settings.signingKeyGrace), purged > 0 {
            logger.info("purged \(purged) signing secret(s) retired more than signing_key_grace ago")
        }
        for warning in env.warnings { logger.warning("\(warning)") }
        let descriptors = raiseDescriptorLimit()
        if descriptors < settings.maxConnections + 64 {
            logger.warning("max_connections is \(settings.maxConnections) but only \(descriptors) file descriptors are allowed (ulimit -n); connections past that are refused by the kernel, not answered")
        }
        let tenantCount = (try? await env.store.tenants().count) ?? 0
        logger.info("model \(translator.description); tenants in \(env.store.location); \(tenantCount) tenant(s)")
        logger.info("""
            batching \(batching.enabled ? "on (window \(settings.batchWindowMs) ms, ≤\(batching.maxSentences) sentences)" : "off"), \
            \(batching.workers) engine worker(s) + \(batching.enabled ? batching.expressWorkers : 0) express; cache \(settings.cacheEntries) entries per process, scope \(settings.cacheScope)
            """)
        try await ServerApp.run(env, logger: logger)
    }

    /// One translator per model folder (the shipped models when none is given); several are routed by direction.
    func loadTranslators(_ folders: [String], batching: BatchingOptions, metrics: ServerMetrics) throws -> any Translator {
        let dirs = folders.isEmpty ? try DefaultModel.shipped() : try folders.map { try DefaultModel.resolve($0) }
        let translators = try dirs.indices.map {
            try loadTranslator(dirs[$0], vocabularyMap: try VocabularyMapOption.pick(vmap, $0, of: dirs.count),
                               batching: batching, metrics: metrics)
        }
        if translators.count == 1 { return translators[0] }
        do { return try ModelRouter(translators) } catch { throw CLIError(message: "\(error)") }
    }

    func loadTranslator(_ dir: URL, vocabularyMap: URL?, batching: BatchingOptions, metrics: ServerMetrics) throws -> EngineTranslator {
        do {
            let t = try EngineTranslator(modelDirectory: dir, compute: compute, vocabularyMap: vocabularyMap,
                                         batching: batching, observer: metrics)
            // Workers split the cores between them: each engine call then runs on 1 core, or more if there are fewer workers.
            t.model.blasLibrary.threads = max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, batching.workers))
            return t
        } catch { throw CLIError(message: "cannot load model: \(error)") }
    }
}
