import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Translation

/// Builds the HTTP application: routes, middleware order, and the server configuration.
public enum ServerApp {
    struct Health: Encodable, Sendable { let status: String }
    /// `GET /api/v1/languages`: the directions served.
    struct Languages: Encodable, Sendable { let directions: [LanguagePair] }
    /// `GET /api/v1/status` (operators): what anonymous `/api/ready` no longer tells.
    struct Ready: Encodable, Sendable {
        let status: String
        let model: String
        let directions: [LanguagePair]
        let quota: String
        /// `up` or `down` when Redis is configured.
        let redis: String?
        let queuedSentences: Int?
        enum CodingKeys: String, CodingKey { case status, model, directions, quota, redis, queuedSentences = "queued_sentences" }
    }
    /// The caller as the server sees it (the web UI uses it to decide what to show): `kind` is `tenant` (with the
    /// tenant, key and scopes) or `operator` (with the operator).
    struct WhoAmI: Encodable, Sendable {
        let kind: String
        var tenantID: String?
        var tenantName: String?
        var keyID: String?
        var operatorID: String?
        var operatorName: String?
        let scopes: [String]
        enum CodingKeys: String, CodingKey {
            case kind, scopes, tenantID = "tenant_id", tenantName = "tenant_name", keyID = "key_id"
            case operatorID = "operator_id", operatorName = "operator_name"
        }
    }

    /// The router with every route and middleware. Tests drive it in-process; `run` serves it on a socket.
    public static func makeRouter(_ env: ServerEnvironment) -> Router<AppContext> {
        let router = Router(context: AppContext.self)
        router.add(middleware: RequestAuditMiddleware(audit: env.audit, resolver: env.resolver, metrics: env.metrics, now: env.now,
                                                      strictTransportSecurity: env.tls != nil))
        if !env.config.corsOrigins.isEmpty { router.add(middleware: CORSAllowListMiddleware(origins: Set(env.config.corsOrigins))) }

        addWebRoutes(router, env)
        let api = router.group("api")
        api.get("health") { _, _ in JSONResponse(Health(status: "ok")) }
        // Anonymous: the status only (no model, addresses or queue depth). Details: GET /api/v1/status (admin).
        api.get("ready") { _, _ -> JSONResponse<Health> in
            _ = try await readiness(env)
            return JSONResponse(Health(status: "ready"))
        }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let v1 = api.group("v1")
        addTokenRoutes(v1, env)
        let authed = v1.group().add(middleware: AuthMiddleware(tokens: env.tokens, resolver: env.resolver))
        authed.get("languages") { _, context -> JSONResponse<Languages> in
            guard context.principal != nil else { throw APIError.missingCredentials }
            return JSONResponse(Languages(directions: env.translator.directions))
        }
        authed.get("status") { _, context -> JSONResponse<Ready> in
            _ = try context.requireOperator()
            let redis = try await readiness(env)
            return JSONResponse(Ready(status: "ready", model: env.translator.description, directions: env.translator.directions,
                                      quota: env.quota.backend, redis: redis, queuedSentences: env.translator.queuedSentences))
        }
        authed.get("whoami") { _, context -> JSONResponse<WhoAmI> in
            switch context.principal {
            case nil: throw APIError.missingCredentials
            case .tenant(let id):
                return JSONResponse(WhoAmI(kind: "tenant", tenantID: id.tenant.id, tenantName: id.tenant.name, keyID: id.keyID,
                                           scopes: id.scopes.sorted().map(\.rawValue)))
            case .operator(let op):
                return JSONResponse(WhoAmI(kind: "operator", operatorID: op.operatorID, operatorName: op.name, scopes: ["operator"]))
            }
        }
        addSessionRoutes(authed, env)
        addUsageRoutes(authed, env)
        let admin = authed.group("admin")
        addAdminRoutes(admin, env)
        addAdminReportRoutes(admin, env)
        addTranslateRoutes(authed, env)
        // Drop-in APIs (docs/compatibility.md): each family is a thin shape over the same path; an operator turns
        // families off with `compat_apis`.
        let families = Set(env.config.compatAPIs.compactMap(APIFamily.init(rawValue:)))
        if families.contains(.deepl) { addDeepLRoutes(router, env) }
        if families.contains(.google) { addGoogleRoutes(router, env) }
        if families.contains(.libretranslate) { addLibreTranslateRoutes(router, env) }
        return router
    }

    /// The metrics listener's router: `GET /metrics` (Prometheus text) only. It is never on the API port, since it
    /// names every tenant with its traffic; bind it to loopback or a private network (`metrics_host`).
    public static func makeMetricsRouter(_ env: ServerEnvironment) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: env.metrics.exposition())))
        }
        return router
    }

    /// 503 unless the model is loaded and, when configured, Redis answers (under fail-open a replica without Redis
    /// still serves: every replica shares the Redis, so marking them all unready would take the service down).
    /// Returns Redis' state (`up`/`down`, nil without Redis). The messages name no address.
    static func readiness(_ env: ServerEnvironment) async throws -> String? {
        guard !env.translator.directions.isEmpty else { throw APIError(.serviceUnavailable, "not_ready", "no model is loaded") }
        guard env.redis != nil else { return nil }
        let up = await env.quota.isReachable()
        env.metrics.redis(up: up)
        guard up || env.config.quotaFailMode == QuotaFailMode.failOpen.rawValue else {
            throw APIError(.serviceUnavailable, "redis_unreachable", "the shared store (Redis) does not answer")
        }
        return up ? "up" : "down"
    }

    /// The HTTP server with the connection cap (`max_connections`) and the connection guard (header/body/idle
    /// deadlines, disconnect detection).
    public static func makeApplication(_ env: ServerEnvironment, logger: Logger) -> some ApplicationProtocol {
        let c = env.config
        let header = TimeAmount.milliseconds(Int64(c.headerTimeout * 1000))
        let body = TimeAmount.milliseconds(Int64(c.bodyTimeout * 1000))
        let idle = TimeAmount.milliseconds(Int64(c.idleTimeout * 1000))
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [
            ParserErrorHandler(),
            ConnectionCapHandler(limit: env.connections),
            ConnectionGuardHandler(headerTimeout: header, bodyTimeout: body, idleTimeout: idle)
        ])
        let server: HTTPServerBuilder
        if let tls = env.tls {
            server = HTTPServerBuilder { responder in HTTP1Channel(responder: responder, configuration: http1).behindTLS(tls) }
        } else {
            server = .http1(configuration: http1)
        }
        return Application(router: makeRouter(env), server: server,
                           configuration: .init(address: .hostname(c.host, port: c.port), serverName: "csanmt"),
                           logger: logger)
    }

    /// Serves until SIGINT/SIGTERM (SIGHUP reloads the TLS certificate), then stops accepting, gives in-flight requests `shutdown_grace` seconds to
    /// finish, and flushes the audit log.
    public static func run(_ env: ServerEnvironment, logger: Logger) async throws {
        let scheme = env.tls == nil ? "http" : "https"
        logger.info("csanmt serving \(env.translator.description) on \(scheme)://\(env.config.host):\(env.config.port)")
        let reloader = env.tls.map { tls in
            CertificateReloader(tls) { error in
                if let error { logger.error("SIGHUP: TLS certificate not reloaded, the old one stays: \(error)") }
                else { logger.notice("SIGHUP: TLS certificate reloaded from \(tls.certificatePath)") }
            }
        }
        defer { reloader?.cancel() }
        if env.config.metricsPort != 0 {
            logger.info("metrics on http://\(env.config.metricsHost):\(env.config.metricsPort)/metrics (keep it private)")
        }
        try await run(makeServiceGroup(env, logger: logger, handleSignals: true), env, logger: logger)
    }

    /// The server as a service group; `triggerGracefulShutdown()` (or a signal, with `handleSignals`) drains it.
    public static func makeServiceGroup(_ env: ServerEnvironment, logger: Logger, handleSignals: Bool) -> ServiceGroup {
        let app = makeApplication(env, logger: logger)
        var services: [any Service] = [app]
        if env.config.redirectHTTPPort != 0 {
            services.append(Application(router: makeRedirectRouter(httpsPort: env.config.port),
                                        configuration: .init(address: .hostname(env.config.host, port: env.config.redirectHTTPPort),
                                                             serverName: "csanmt-redirect"),
                                        logger: logger))
        }
        if env.config.metricsPort != 0 {
            services.append(Application(router: makeMetricsRouter(env),
                                        configuration: .init(address: .hostname(env.config.metricsHost, port: env.config.metricsPort),
                                                             serverName: "csanmt-metrics"),
                                        logger: logger))
        }
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                                                      logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(env.config.shutdownGrace * 1000))
        return ServiceGroup(configuration: configuration)
    }

    /// Runs the group to the end of its graceful shutdown, then flushes the audit log.
    public static func run(_ group: ServiceGroup, _ env: ServerEnvironment, logger: Logger) async throws {
        do {
            try await group.run()
        } catch {
            await storeEngineTime(env, day: UsageDay(env.now()))
            env.audit?.flush()
            await env.audit?.options.central?.stop()
            await env.store.close()
            throw error
        }
        await storeEngineTime(env, day: UsageDay(env.now()))   // engine time metered since the last request
        env.audit?.flush()
        await env.audit?.options.central?.stop()   // into the database, or the spool while it is down
        await env.store.close()
        logger.info("csanmt stopped; audit log flushed")
    }
}
