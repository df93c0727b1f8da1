import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
@testable import Server
@testable import Translation

/// Metrics, the web UI's headers, slow clients, and graceful shutdown.
@Suite("Operations")
struct OperationsTests {
    @Test("/metrics exposes requests by tenant/route/status, latency, queue, batches, tokens, quota and cache")
    func metricsExposition() async throws {
        let t = GatedTranslator(options: SchedulerTests.options(window: .zero))
        let s = try await TestServer(translator: t)
        let key = try await s.tenant("org_m", dailyRequests: 1)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_m", key))
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: token)
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: token)   // 429
            #expect(try await client.get("/metrics").status == .notFound, "metrics are never on the API port")
        }
        try await Application(router: ServerApp.makeMetricsRouter(s.env)).test(.router) { client in
            let r = try await client.get("/metrics")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = r.text
            for needle in [
                #"csanmt_http_requests_total{tenant="org_m",route="/api/v1/translate",status="200"} 1"#,
                #"csanmt_http_requests_total{tenant="org_m",route="/api/v1/translate",status="429"} 1"#,
                #"csanmt_http_request_duration_seconds_bucket{route="/api/v1/translate",le="+Inf"} 2"#,
                #"csanmt_quota_rejections_total{tenant="org_m",limit="requests"} 1"#,
                "csanmt_queue_depth_sentences 0", "csanmt_cache_hit_ratio 0.0",
                "# TYPE csanmt_http_request_duration_seconds histogram",
            ] {
                #expect(text.contains(needle), "missing: \(needle)")
            }
        }
        t.scheduler.shutdown()
    }

    @Test("the scheduler reports batch sizes, sentences and tokens/s")
    func schedulerMetrics() async throws {
        let metrics = ServerMetrics()
        let t = GatedTranslator(options: SchedulerTests.options(window: .zero), observer: metrics)
        _ = try await t.translate(["abc", "de"], pair: t.directions[0])
        let text = metrics.exposition()
        #expect(text.contains("csanmt_batch_sentences_count"))
        #expect(text.contains("csanmt_translated_sentences_total 2"))
        #expect(text.contains("csanmt_tokens_per_second"))
        t.scheduler.shutdown()
    }

    @Test("the web UI is served with a strict CSP, nosniff and no framing; paths cannot escape its folder")
    func webUIHeaders() async throws {
        let s = try await TestServer()
        try await s.app().test(.router) { client in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(page.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(!page.text.contains("<script>") && !page.text.contains("style=\""), "inline script or style in index.html")
            #expect(try await client.get("/ui/..%2Fopenapi.json").status == .notFound)
            #expect(try await client.get("/ui/.hidden.js").status == .notFound)
            #expect(try await client.get("/ui/nope.js").status == .notFound)
        }
    }

    @Test("a client that sends half a request head is cut off after header_timeout")
    func slowLoris() async throws {
        var config = ServerConfig()
        config.port = 0
        config.headerTimeout = 0.3
        let s = try await TestServer(config: config)
        try await ServerApp.makeApplication(s.env, logger: Logger(label: "test")).test(.live) { client in
            let port = try #require(client.port)
            let fd = try RawHTTP.connect(port: port)
            defer { close(fd) }
            RawHTTP.send(fd, "POST /api/v1/translate HTTP/1.1\r\nHost: x\r\n")   // and then nothing
            let start = Date()
            let reply = RawHTTP.readAll(fd, timeout: 5)   // returns when the server closes
            #expect(reply.isEmpty)
            #expect(Date().timeIntervalSince(start) < 3)
        }
    }

    @Test("graceful shutdown: stops accepting, finishes requests in flight, flushes the audit log")
    func gracefulShutdown() async throws {
        let t = GatedTranslator(options: SchedulerTests.options(maxSentences: 1, window: .zero), open: false)
        var config = ServerConfig()
        config.port = Int.random(in: 40_001...50_000)
        config.shutdownGrace = 20
        config.cacheEntries = 0
        let s = try await TestServer(config: config, translator: t)
        let key = try await s.tenant("org_g")
        let logger = Logger(label: "test")
        let group = ServerApp.makeServiceGroup(s.env, logger: logger, handleSignals: false)
        let running = Task { try await ServerApp.run(group, s.env, logger: logger) }
        let port = config.port
        #expect(await eventually { RedisTestServer.canConnect(port) })
        let tokenReply = try await blocking { try RawHTTP.exchange(port: port, RawHTTP.request(path: "/api/v1/auth/token",
                                                                     json: #"{"tenant_id": "org_g", "api_key": "\#(key)"}"#)) }
        let body = String(tokenReply[tokenReply.range(of: "\r\n\r\n")!.upperBound...])
        let token = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["token"] as? String)
        let inFlight = (0..<3).map { i in
            Task { try await blocking { try RawHTTP.exchange(port: port, RawHTTP.request(path: "/api/v1/translate", json: #"{"text": "t\#(i)"}"#, token: token)) } }
        }
        #expect(await eventually { t.gate.waiting == 1 && t.scheduler.queuedSentences == 2 })
        await group.triggerGracefulShutdown()
        #expect(await eventually { !RedisTestServer.canConnect(port) }, "still accepting connections after shutdown began")
        t.gate.open()
        for r in inFlight { #expect(RawHTTP.status(try await r.value) == 200) }
        try await running.value
        let translated = try s.auditLines().filter { $0["path"] as? String == "/api/v1/translate" && $0["status"] as? Int == 200 }
        #expect(translated.count == 3)
        t.scheduler.shutdown()
    }

    @Test("anonymous /api/ready answers the status only; details are for operators (/api/v1/status), directions for any token")
    func privateReadiness() async throws {
        let s = try await TestServer()
        let adminKey = try await s.operatorKey()
        let userKey = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let ready = try await client.get("/api/ready")
            #expect(ready.status == .ok)
            #expect(ready.json?.keys.sorted() == ["status"])
            #expect(ready.json?["status"] as? String == "ready")
            #expect(try await client.get("/api/v1/status").status == .unauthorized)
            let user = try #require(try await client.token("org_a", userKey))
            #expect(try await client.get("/api/v1/status", token: user).errorCode == "operator_required")
            let languages = try await client.get("/api/v1/languages", token: user).json
            #expect((languages?["directions"] as? [[String: String]]) == [["source": "zh", "target": "en"]])
            let admin = try #require(try await client.operatorToken("root", adminKey))
            let status = try await client.get("/api/v1/status", token: admin).json
            #expect(status?["model"] as? String == "echo (tests only)")
            #expect(status?["queued_sentences"] as? Int == 0)
            #expect(status?["quota"] as? String == "local")
        }
    }
}

/// Runs blocking socket code off the cooperative pool.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in DispatchQueue.global().async { c.resume(with: Result { try body() }) } }
}
