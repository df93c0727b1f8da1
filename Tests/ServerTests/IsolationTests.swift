import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Server
@testable import Translation

/// Isolation between tenants on the shared engine: fair scheduling by tenant, admission before work, short-window
/// rate limits and honest metering. The gated fake engine makes the order observable; nothing here asserts a time.
@Suite("Tenant isolation")
struct IsolationTests {
    static func options(maxSentences: Int = 4, maxQueued: Int = 5_000, quantum: Int = 32, express: Int = 0) -> BatchingOptions {
        var o = BatchingOptions()
        o.maxSentences = maxSentences
        o.maxQueued = maxQueued
        o.window = .zero
        o.workers = 1
        o.expressWorkers = express
        o.quantumTokens = quantum
        return o
    }

    static func owner(_ tenant: String, weight: Int = 1) -> SchedulingClass { SchedulingClass(tenant: tenant, weight: weight) }

    // MARK: Fair scheduling

    @Test("while tenant A has 1,000 sentences queued, tenant B's request rides in one of the next two batches")
    func backlogDoesNotDelayOthers() async throws {
        let t = GatedTranslator(options: Self.options(), open: false)
        let pair = t.directions[0]
        let flood = (0..<10).map { i in
            Task { try await t.translate(TranslationJob(texts: (0..<100).map { "a\(i)-\($0)" }, pair: pair, owner: Self.owner("org_a"))) }
        }
        #expect(await eventually { t.gate.waiting == 1 && t.scheduler.queuedSentences(tenant: "org_a") == 996 })
        let quiet = Task { try await t.translate(TranslationJob(texts: ["b-hello"], pair: pair, owner: Self.owner("org_b"))) }
        #expect(await eventually { t.scheduler.queuedSentences(tenant: "org_b") == 1 })
        t.gate.open()
        #expect(try await quiet.value.map(\.text) == ["[en] b-hello"])
        let position = t.batches.firstIndex { $0.contains("b-hello") } ?? .max
        // Batch 0 was A's alone; A's turn may hold credit (one quantum, 32 tokens) into batch 1; B is in it or the next.
        #expect(position <= 2, "B waited \(position) batches behind A's 996 queued sentences")
        for f in flood { _ = try await f.value }
        t.scheduler.shutdown()
    }

    @Test("weights 2:1 give a 2:1 share of the engine under contention")
    func weightedShare() async throws {
        // Every sentence is 3 ids ("aNN"), so a quantum of 3 tokens is one sentence per unit of weight per turn.
        let t = GatedTranslator(options: Self.options(maxSentences: 6, quantum: 3), open: false)
        let pair = t.directions[0]
        let heavy = Task { try await t.translate(TranslationJob(texts: (0..<300).map { "a\($0 % 10)\($0 % 7)" }, pair: pair,
                                                                 owner: Self.owner("org_a", weight: 2))) }
        let light = Task { try await t.translate(TranslationJob(texts: (0..<300).map { "b\($0 % 10)\($0 % 7)" }, pair: pair,
                                                                 owner: Self.owner("org_b", weight: 1))) }
        #expect(await eventually { t.gate.waiting == 1 && t.scheduler.queuedSentences >= 594 })
        t.gate.open()
        _ = try await (heavy.value, light.value)
        // Count from the second batch (the first was taken before both had arrived) while both are backlogged.
        let sentences = t.batches.dropFirst().prefix(40).flatMap { $0 }
        let a = sentences.filter { $0.hasPrefix("a") }.count
        let b = sentences.filter { $0.hasPrefix("b") }.count
        #expect(a + b == 240)
        #expect(a == 2 * b, "A (weight 2) got \(a) sentences, B (weight 1) got \(b)")
        t.scheduler.shutdown()
    }

    @Test("long sentences still fill a batch up to the token budget (overdrafts are played forward, not idled)")
    func longSentencesFillBatches() async throws {
        var o = Self.options(maxSentences: 32)
        o.maxTokens = 2_048
        let t = GatedTranslator(options: o, open: false)
        let pair = t.directions[0]
        let long = (0..<20).map { i in String(repeating: "x", count: 199) + String(i % 10) }   // 200 ids each
        let job = Task { try await t.translate(TranslationJob(texts: long, pair: pair, owner: Self.owner("org_a"))) }
        #expect(await eventually { t.gate.waiting == 1 })
        t.gate.open()
        _ = try await job.value
        // 2,048 tokens / 201 (with the end marker) = 10 sentences per batch, although each costs 6 quanta.
        #expect(t.batches.map(\.count) == [10, 10], "\(t.batches.map(\.count))")
        t.scheduler.shutdown()
    }

    @Test("a sentence the engine fails on fails only its own request, not the other tenants' in the same batch")
    func failureIsolation() async throws {
        var o = Self.options(maxSentences: 8)
        o.window = .milliseconds(200)
        let gate = Gate(open: false)
        let scheduler = BatchScheduler<String>(options: o) { batch in
            gate.pass()
            let texts = batch.map { String(String.UnicodeScalarView($0.compactMap { Unicode.Scalar(UInt32($0)) })) }
            if texts.contains("poison") { throw TranslationError.failed("the engine refused a sentence") }
            return texts.map { "[en] " + $0 }
        }
        func ids(_ s: String) -> [[Int32]] { [s.unicodeScalars.map { Int32($0.value) }] }
        let first = Task { try await scheduler.submit(ids("first"), as: Self.owner("org_c")) }
        #expect(await eventually { gate.waiting == 1 })
        let bad = Task { try await scheduler.submit(ids("poison"), as: Self.owner("org_a")) }
        let good = Task { try await scheduler.submit(ids("fine"), as: Self.owner("org_b")) }
        #expect(await eventually { scheduler.queuedSentences == 2 })
        gate.open()
        _ = try await first.value
        #expect(try await good.value == ["[en] fine"])
        await #expect(throws: TranslationError.self) { try await bad.value }
        scheduler.shutdown()
    }

    @Test("the express lane serves a light tenant while a heavy one holds every regular worker")
    func expressLane() async throws {
        let t = GatedTranslator(options: Self.options(maxSentences: 8, express: 1), open: false)
        let pair = t.directions[0]
        let heavy = Task { try await t.translate(TranslationJob(texts: (0..<40).map { "a\($0)" }, pair: pair, owner: Self.owner("org_a"))) }
        #expect(await eventually { t.gate.waiting == 1 })          // the regular worker holds A's first batch
        // A is not light (32 waiting): the express worker leaves it alone.
        #expect(t.scheduler.queuedSentences(tenant: "org_a") == 32)
        let quiet = Task { try await t.translate(TranslationJob(texts: ["b-hi"], pair: pair, owner: Self.owner("org_b"))) }
        #expect(await eventually { t.gate.waiting == 2 }, "B's sentence should be running on the express worker")
        #expect(t.scheduler.queuedSentences(tenant: "org_b") == 0)
        // The express batch is topped up to express_batch_sentences (2) with A's next sentence of the same bucket.
        #expect(t.scheduler.queuedSentences(tenant: "org_a") == 31)
        t.gate.open()
        #expect(try await quiet.value.map(\.text) == ["[en] b-hi"])
        _ = try await heavy.value
        #expect(t.batches.contains(["b-hi", "a8"]), "\(t.batches)")
        t.scheduler.shutdown()
    }

    // MARK: Admission

    @Test("a tenant over its share gets 429 concurrency_limit while another tenant still gets 200")
    func overShare() async throws {
        let t = GatedTranslator(options: Self.options(maxSentences: 1), open: false)
        let s = try await TestServer(translator: t, isolationDefaults: true)
        let keyA = try await s.tenant("org_a", limits: TenantLimits(maxInFlight: .value(2), requestsPerSecond: .unlimited,
                                                              charactersPerMinute: .unlimited))
        let keyB = try await s.tenant("org_b", limits: TenantLimits(requestsPerSecond: .unlimited, charactersPerMinute: .unlimited))
        try await s.app().test(.router) { client in
            let tokenA = try #require(try await client.token("org_a", keyA))
            let tokenB = try #require(try await client.token("org_b", keyB))
            let held = (0..<2).map { i in Task { try await client.postJSON("/api/v1/translate", #"{"text": "a\#(i)"}"#, token: tokenA) } }
            #expect(await eventually { t.gate.waiting == 1 && t.scheduler.queuedSentences(tenant: "org_a") == 1 })
            let refused = try await client.postJSON("/api/v1/translate", #"{"text": "a-third"}"#, token: tokenA)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == "concurrency_limit")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // B is admitted although the engine is busy with A; it is queued behind A's running batch.
            let b = Task { try await client.postJSON("/api/v1/translate", #"{"text": "b0"}"#, token: tokenB) }
            #expect(await eventually { t.scheduler.queuedSentences(tenant: "org_b") == 1 })
            t.gate.open()
            #expect(try await b.value.status == .ok)
            for h in held { #expect(try await h.value.status == .ok) }
            let usage = try await client.get("/api/v1/usage", token: tokenA).json
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 2, "the refused request is not billed")
        }
        #expect(s.env.metrics.exposition().contains(#"csanmt_rejections_total{tenant="org_a",reason="concurrency_limit"} 1"#))
        t.scheduler.shutdown()
    }

    @Test("a tenant whose queue holds its share of sentences is refused before its text is tokenised")
    func queuedShare() async throws {
        let t = GatedTranslator(options: Self.options(maxSentences: 1), open: false)
        let s = try await TestServer(translator: t, isolationDefaults: true)
        let key = try await s.tenant("org_a", limits: TenantLimits(maxInFlight: .unlimited, maxQueuedSentences: .value(3),
                                                             requestsPerSecond: .unlimited, charactersPerMinute: .unlimited))
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let held = Task { try await client.postJSON("/api/v1/translate", #"{"text": ["x0", "x1", "x2", "x3"]}"#, token: token) }
            #expect(await eventually { t.gate.waiting == 1 && t.scheduler.queuedSentences(tenant: "org_a") == 3 })
            let refused = try await client.postJSON("/api/v1/translate", #"{"text": "one more"}"#, token: token)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == "concurrency_limit")
            t.gate.open()
            #expect(try await held.value.status == .ok)
        }
        t.scheduler.shutdown()
    }

    @Test("too many sentences in one request: 413 before any work, not billed")
    func sentenceLimit() async throws {
        var config = ServerConfig()
        config.maxSentencesPerRequest = 5
        let s = try await TestServer(config: config)
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let texts = (0..<6).map { "\"t\($0)\"" }.joined(separator: ",")
            let r = try await client.postJSON("/api/v1/translate", #"{"text": [\#(texts)]}"#, token: token)
            #expect(r.status == .contentTooLarge)
            #expect(r.errorCode == "too_many_sentences")
            let usage = try await client.get("/api/v1/usage", token: token).json
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 0)
            #expect(usage?["max_sentences_per_request"] as? Int == 5)
        }
    }

    @Test("the engine translator counts sentences as it will split them (2,500 copies of 好。 are 2,500 sentences)")
    func sentenceCounting() async throws {
        let translator = try EngineTranslator(modelDirectory: ShippedModel.folder)
        #expect(translator.sentenceCount([String(repeating: "好。", count: 2_500)]) == 2_500)
        #expect(translator.sentenceCount(["今天天气很好。我们去公园。\n\n第二段。", "  "]) == 3)
    }

    // MARK: Rate limits

    @Test("in-process rate limits are exact under 200 concurrent requests")
    func localRateLimitExact() async throws {
        let frozen: @Sendable () -> Double = { 1_000 }   // no refill during the test
        let s = try await TestServer(rateLimiter: LocalRateLimiter(clock: frozen), isolationDefaults: true)
        let key = try await s.tenant("org_a", limits: TenantLimits(maxInFlight: .unlimited, requestsPerSecond: .value(1), burst: 50,
                                                             charactersPerMinute: .unlimited))
        let keyB = try await s.tenant("org_b", limits: TenantLimits(requestsPerSecond: .value(1), burst: 5))
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let statuses = try await withThrowingTaskGroup(of: (Int, String?, String?).self) { group in
                for i in 0..<200 {
                    group.addTask {
                        let r = try await client.postJSON("/api/v1/translate", #"{"text": "r\#(i)"}"#, token: token)
                        return (Int(r.status.code), r.errorCode, r.headers[.retryAfter])
                    }
                }
                var all: [(Int, String?, String?)] = []
                for try await x in group { all.append(x) }
                return all
            }
            #expect(statuses.filter { $0.0 == 200 }.count == 50)
            let limited = statuses.filter { $0.0 == 429 }
            #expect(limited.count == 150)
            #expect(limited.allSatisfy { $0.1 == "rate_limited" && Int($0.2 ?? "") ?? 0 >= 1 })
            // Another tenant has its own bucket.
            let tokenB = try #require(try await client.token("org_b", keyB))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "b"}"#, token: tokenB).status == .ok)
        }
    }

    @Test("rate-limit 429 names the limit and carries RateLimit headers; a key's own limit is stricter than its tenant's")
    func keyRateLimit() async throws {
        let frozen: @Sendable () -> Double = { 5 }
        let s = try await TestServer(rateLimiter: LocalRateLimiter(clock: frozen), isolationDefaults: true)
        let strictKey = try await s.tenant("org_a", limits: TenantLimits(requestsPerSecond: .value(100), burst: 100),
                                     keyLimits: KeyLimits(requestsPerSecond: 1, burst: 2))
        let otherKey = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let strict = try #require(try await client.token("org_a", strictKey))
            let other = try #require(try await client.token("org_a", otherKey))
            for _ in 0..<2 { #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: strict).status == .ok) }
            let r = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: strict)
            #expect(r.status == .tooManyRequests)
            #expect(r.errorCode == "rate_limited")
            #expect(((r.json?["error"] as? [String: Any])?["limit"] as? String) == "key-requests")
            #expect(r.headers[RateLimitHeaders.policy] == #""key-requests";q=1;w=1"#)
            #expect(r.headers[RateLimitHeaders.state]?.hasPrefix(#""key-requests";r=0;t="#) == true)
            // The tenant's other key is not held by the strict key's limit.
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: other).status == .ok)
        }
    }

    @Test("admin API: limits are validated, unknown limit names refused, effective limits shown; a text larger than a minute's characters is a 413")
    func adminLimits() async throws {
        let s = try await TestServer(isolationDefaults: true)
        let adminKey = try await s.operatorKey()
        let key = try await s.tenant("org_a", limits: TenantLimits(requestsPerSecond: .unlimited, charactersPerMinute: .value(10)))
        try await s.app().test(.router) { client in
            let admin = try #require(try await client.operatorToken("root", adminKey))
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(admin)"
            headers[.contentType] = "application/json"
            func patch(_ json: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/admin/tenants/org_a", method: .patch, headers: headers, body: ByteBuffer(string: json))
            }
            let ok = try await patch(#"{"limits": {"weight": 3, "max_in_flight": "unlimited"}}"#)
            #expect(ok.status == .ok)
            #expect((ok.json?["limits"] as? [String: Any])?["weight"] as? Int == 3)
            let effective = ok.json?["effective_limits"] as? [String: Any]
            #expect(effective?["max_in_flight"] as? String == "unlimited")
            #expect(effective?["characters_per_minute"] as? Int == 10)
            #expect(effective?["burst"] as? Int == 20)
            let misspelt = try await patch(#"{"limits": {"max_inflight": 3}}"#)
            #expect(misspelt.status == .badRequest)
            #expect(misspelt.text.contains("unknown limit 'max_inflight'"))
            let zero = try await patch(#"{"limits": {"weight": 0}}"#)
            #expect(zero.status == .badRequest && zero.text.contains("weight must be 1-100"))
            let reset = try await patch(#"{"limits": {"weight": null}}"#)
            #expect((reset.json?["effective_limits"] as? [String: Any])?["weight"] as? Int == 1)
            #expect(try await s.store.tenant("org_a")?.limits.maxInFlight == .unlimited, "absent keys keep their values")

            let token = try #require(try await client.token("org_a", key))
            let big = try await client.postJSON("/api/v1/translate", #"{"text": "eleven char"}"#, token: token)
            #expect(big.status == .contentTooLarge && big.errorCode == "text_too_long", "\(big.text)")
        }
    }

    @Test("characters per minute: a request larger than the whole minute is refused with a message that says so")
    func characterRate() {
        let limiter = LocalRateLimiter(clock: { 0 })
        let limits = EffectiveLimits(weight: 1, maxInFlight: nil, maxQueuedSentences: nil, requestsPerSecond: nil, burst: 1,
                                     charactersPerMinute: 100)
        func rules(_ n: Int) -> [RateRule] {
            RateRule.rules(tenant: "org_a", limits: limits, keyID: "key_x", keyLimits: KeyLimits(), characters: n)
        }
        #expect(limiter.check(rules(60)) == .allowed)
        guard case .limited(let rule, let retry) = limiter.check(rules(60)) else { Issue.record("not limited"); return }
        #expect(rule.name == "tenant-characters")
        #expect(abs((retry ?? 0) - 12) < 1e-6, "20 characters short at 100/min: 12 s")
        guard case .limited(_, let never) = limiter.check(rules(101)) else { Issue.record("not limited"); return }
        #expect(never == nil)
        #expect(APIError.rateLimited(RateLimited(rule: rules(101)[0], retryAfter: nil)).message.contains("larger than"))
    }

    @Test("Redis rate limits are exact under 200 concurrent checks (every replica shares the bucket)")
    func redisRateLimitExact() async throws {
        guard let url = ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] else { return }
        let client = RedisClient(url: try RedisURL(url))
        let limiter = RedisRateLimiter(client: client, mode: .failClosed)
        let tenant = "org_rl_\(UInt32.random(in: 0...UInt32.max))"
        // 0.0001 per second: no refill during the test, so exactly the burst passes.
        let rule = RateRule(key: "\(tenant):tenant:requests", name: "tenant-requests", perSecond: 0.0001, burst: 50, cost: 1,
                            quota: 50, window: 1)
        let replicas = [limiter, RedisRateLimiter(client: RedisClient(url: try RedisURL(url)), mode: .failClosed)]
        let outcomes = try await withThrowingTaskGroup(of: RateDecision.self) { group in
            for i in 0..<200 { group.addTask { try await replicas[i % 2].check([rule]) } }
            var all: [RateDecision] = []
            for try await d in group { all.append(d) }
            return all
        }
        #expect(outcomes.filter { $0 == .allowed }.count == 50)
        #expect(outcomes.filter { if case .limited = $0 { return true } else { return false } }.count == 150)
        // All or nothing: a second rule that fails leaves the first uncharged.
        let fresh = RateRule(key: "\(tenant):key:k1:requests", name: "key-requests", perSecond: 0.0001, burst: 1, cost: 1, quota: 1,
                             window: 1)
        #expect(try await limiter.check([fresh, rule]) != .allowed)
        #expect(try await limiter.check([fresh]) == .allowed, "the refused check must not have charged the key's bucket")
    }

    // MARK: Honest metering

    @Test("a client that disconnects after its sentences ran is charged, engine time included")
    func disconnectAfterRunIsCharged() async throws {
        let metrics = ServerMetrics()
        let t = GatedTranslator(options: Self.options(maxSentences: 1), open: false, observer: metrics)
        var config = ServerConfig()
        config.port = 0
        config.cacheEntries = 0
        let s = try await TestServer(config: config, translator: t, metrics: metrics)
        let key = try await s.tenant("org_x")
        try await ServerApp.makeApplication(s.env, logger: Logger(label: "test")).test(.live) { client in
            let token = try #require(try await client.token("org_x", key))
            let port = try #require(client.port)
            let fd = try RawHTTP.connect(port: port)
            RawHTTP.send(fd, RawHTTP.request(path: "/api/v1/translate", json: #"{"text": "gone"}"#, token: token))
            #expect(await eventually { t.gate.waiting == 1 })   // its sentence is in the engine
            close(fd)
            try await Task.sleep(for: .milliseconds(50))
            t.gate.open()
            #expect(await eventually {
                ((try? s.auditLines()) ?? []).contains { ($0["status"] as? Int) == 499 && ($0["path"] as? String) == "/api/v1/translate" }
            })
            let usage = try await client.get("/api/v1/usage", token: token).json
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 1, "the departed client's request is billed")
            #expect((usage?["characters"] as? [String: Any])?["used"] as? Int == 4)
            #expect((usage?["engine_ms"] as? Int ?? 0) >= 40, "engine time spent on it is metered: \(String(describing: usage))")
        }
        t.scheduler.shutdown()
    }

    @Test("engine time per tenant appears in usage, the admin usage view and metrics")
    func engineTimeReported() async throws {
        let metrics = ServerMetrics()
        let t = GatedTranslator(options: Self.options(maxSentences: 8), open: false, observer: metrics)
        let s = try await TestServer(translator: t, metrics: metrics)
        let key = try await s.tenant("org_a")
        let admin = try await s.operatorKey()
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let r = Task { try await client.postJSON("/api/v1/translate", #"{"text": ["a", "b"]}"#, token: token) }
            #expect(await eventually { t.gate.waiting == 1 })
            try await Task.sleep(for: .milliseconds(30))   // engine time the fake "spends" at the gate
            t.gate.open()
            #expect(try await r.value.status == .ok)
            let usage = try await client.get("/api/v1/usage", token: token).json
            let ms = usage?["engine_ms"] as? Int ?? 0
            #expect(ms >= 30)
            #expect((usage?["limits"] as? [String: Any])?["weight"] as? Int == 1)
            let adminToken = try #require(try await client.operatorToken("root", admin))
            let list = try await client.get("/api/v1/admin/usage", token: adminToken).json
            let row = (list?["tenants"] as? [[String: Any]])?.first { $0["tenant_id"] as? String == "org_a" }
            #expect(row?["engine_ms"] as? Int == ms)
        }
        let text = s.env.metrics.exposition()
        #expect(text.contains(#"csanmt_tenant_engine_seconds_total{tenant="org_a"}"#))
        #expect(text.contains(#"csanmt_queue_wait_seconds_count{tenant="org_a"} 1"#))
        t.scheduler.shutdown()
    }

    // MARK: Tokenisation off the cooperative pool

    @Test("tokenisation runs on the tokenizer pool, and a 5,000-letter word does not block /api/health")
    func longWordDoesNotBlock() async throws {
        var options = BatchingOptions()
        options.workers = 1
        options.maxQueued = 0   // refused once tokenised (more pieces than the queue holds): about tokenisation, not decoding
        let translator = try EngineTranslator(modelDirectory: ShippedModel.folder,
                                              batching: options)
        let s = try await TestServer(translator: translator)
        let key = try await s.tenant("org_a")
        let word = String(repeating: "a", count: 5_000)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let long = Task { try await client.postJSON("/api/v1/translate", #"{"text": "\#(word)"}"#, token: token) }
            for _ in 0..<20 { #expect(try await client.get("/api/health").status == .ok) }
            let r = try await long.value
            #expect(r.status == .contentTooLarge && r.errorCode == "too_many_sentences",
                    "tokenised, then refused: more pieces than the queue holds: \(r.text)")
        }
        let pool = BlockingPool(threads: 1, name: "csanmt-test-pool")
        let name = try await pool.run { BlockingPool.currentPoolName }
        #expect(name == "csanmt-test-pool")
        #expect(BlockingPool.currentPoolName == nil)
        pool.shutdown()
    }
}
