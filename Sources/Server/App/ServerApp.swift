import Foundation
import Hummingbird
import Logging

/// Builds the HTTP application: routes, middleware order, and the server configuration.
public enum ServerApp {
    struct Health: Encodable, Sendable { let status: String }
    struct Ready: Encodable, Sendable { let status: String; let model: String; let directions: [LanguagePair] }
    /// The caller as the server sees it (the web UI uses it to decide what to show).
    struct WhoAmI: Encodable, Sendable {
        let tenantID: String
        let tenantName: String
        let keyID: String
        let scopes: [String]
        enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", tenantName = "tenant_name", keyID = "key_id", scopes }
    }

    /// The router with every route and middleware. Tests drive it in-process; `run` serves it on a socket.
    public static func makeRouter(_ env: ServerEnvironment) -> Router<AppContext> {
        let router = Router(context: AppContext.self)
        router.add(middleware: RequestAuditMiddleware(audit: env.audit, resolver: env.resolver, now: env.now))
        if !env.config.corsOrigins.isEmpty { router.add(middleware: CORSAllowListMiddleware(origins: Set(env.config.corsOrigins))) }

        let api = router.group("api")
        api.get("health") { _, _ in JSONResponse(Health(status: "ok")) }
        api.get("ready") { _, _ -> JSONResponse<Ready> in
            guard !env.translator.directions.isEmpty else { throw APIError(.serviceUnavailable, "not_ready", "no model is loaded") }
            return JSONResponse(Ready(status: "ready", model: env.translator.description, directions: env.translator.directions))
        }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let v1 = api.group("v1")
        addTokenRoutes(v1, env)
        let authed = v1.group().add(middleware: AuthMiddleware(tokens: env.tokens, resolver: env.resolver))
        authed.get("whoami") { _, context -> JSONResponse<WhoAmI> in
            guard let id = context.identity else { throw APIError.missingCredentials }
            return JSONResponse(WhoAmI(tenantID: id.tenant.id, tenantName: id.tenant.name, keyID: id.keyID,
                                       scopes: id.scopes.sorted().map(\.rawValue)))
        }
        addAdminRoutes(authed.group("admin"), env)
        addTranslateRoutes(authed, env)
        return router
    }

    /// Serves until SIGINT/SIGTERM, then drains and flushes the audit log.
    public static func run(_ env: ServerEnvironment, logger: Logger) async throws {
        let app = Application(
            router: makeRouter(env),
            configuration: .init(address: .hostname(env.config.host, port: env.config.port), serverName: "csanmt"),
            logger: logger)
        logger.info("csanmt serving \(env.translator.description) on http://\(env.config.host):\(env.config.port)")
        try await app.runService()
        env.audit?.flush()
    }
}
