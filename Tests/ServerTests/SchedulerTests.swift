import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Server
@testable import Translation

/// The cross-request batcher: merging, length buckets, fairness, the bounded queue, cancellation.
@Suite("Batch scheduler")
struct SchedulerTests {
    static func options(maxSentences: Int = 8, maxQueued: Int = 100, window: Duration = .milliseconds(50)) -> BatchingOptions {
        var o = BatchingOptions()
        o.maxSentences = maxSentences
        o.maxQueued = maxQueued
        o.window = window
        o.workers = 1
        o.expressWorkers = 0   // the express lane has tests of its own (IsolationTests)
        return o
    }

    @Test("concurrent requests are merged into one engine batch")
    func merges() async throws {
        let t = GatedTranslator(options: Self.options())
        let outputs = try await withThrowingTaskGroup(of: [String].self) { group in
            for i in 0..<6 { group.addTask { try await t.translate(["s\(i)"], pair: t.directions[0]) } }
            var all: [[String]] = []
            for try await o in group { all.append(o) }
            return all
        }
        #expect(Set(outputs.flatMap { $0 }) == Set((0..<6).map { "[en] s\($0)" }))
        #expect(t.batches.count < 6, "6 concurrent one-sentence requests should share batches: \(t.batches)")
        t.scheduler.shutdown()
    }

    @Test("a batch holds sentences of one length bucket and respects the token budget")
    func buckets() async throws {
        var o = Self.options(maxSentences: 16)
        o.maxTokens = 40
        let t = GatedTranslator(options: o, open: false)
        let short = (0..<4).map { "s\($0)" }                              // 2 ids each
        let long = (0..<4).map { String(repeating: "L", count: 20) + "\($0)" }   // 21 ids each
        async let a = t.translate(short + long, pair: t.directions[0])
        #expect(await eventually { t.scheduler.queuedSentences == 8 })
        t.gate.open()
        _ = try await a
        for batch in t.batches {
            #expect(Set(batch.map { BatchScheduler<String>.bucket($0.unicodeScalars.count) }).count == 1, "mixed lengths in \(batch)")
            #expect(batch.count * (batch.map { $0.unicodeScalars.count }.max()! + 1) <= 40 || batch.count == 1)
        }
        t.scheduler.shutdown()
    }

    @Test("one huge request cannot starve a small one: the small one rides in the next batch")
    func fairness() async throws {
        let t = GatedTranslator(options: Self.options(maxSentences: 4, maxQueued: 1_000, window: .zero), open: false)
        let pair = t.directions[0]
        let huge = Task { try await t.translate((0..<200).map { "h\($0)" }, pair: pair) }
        #expect(await eventually { t.gate.waiting == 1 && t.scheduler.queuedSentences == 196 })   // first batch at the gate
        let small = Task { try await t.translate(["small"], pair: pair) }
        #expect(await eventually { t.scheduler.queuedSentences == 197 })
        t.gate.open()
        #expect(try await small.value == ["[en] small"])
        let position = t.batches.firstIndex { $0.contains("small") } ?? .max
        #expect(position <= 1, "the small request waited for \(position) batches")
        _ = try await huge.value
        t.scheduler.shutdown()
    }

    @Test("a full queue refuses with 503 busy and Retry-After, without counting the request")
    func queueFull() async throws {
        let t = GatedTranslator(options: Self.options(maxSentences: 1, maxQueued: 3, window: .zero), open: false)
        let s = try await TestServer(translator: t)
        let key = try await s.tenant("org_b", dailyRequests: 100)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_b", key))
            // 1 at the gate + 3 queued fill it.
            let atGate = Task { try await client.postJSON("/api/v1/translate", #"{"text": "t0"}"#, token: token) }
            #expect(await eventually { t.gate.waiting == 1 })
            let queued = (1..<4).map { i in Task { try await client.postJSON("/api/v1/translate", #"{"text": "t\#(i)"}"#, token: token) } }
            let held = [atGate] + queued
            #expect(await eventually { t.scheduler.queuedSentences == 3 })
            let busy = try await client.postJSON("/api/v1/translate", #"{"text": "one more"}"#, token: token)
            #expect(busy.status == .serviceUnavailable)
            #expect(busy.errorCode == "busy")
            #expect(Int(busy.headers[.retryAfter] ?? "") ?? 0 >= 1)
            t.gate.open()
            for h in held { #expect(try await h.value.status == .ok) }
            let usage = try await client.get("/api/v1/usage", token: token).json
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 4, "the refused request was refunded")
        }
        t.scheduler.shutdown()
    }

    @Test("cancelling a request removes its queued sentences")
    func cancellation() async throws {
        let metrics = ServerMetrics()
        let t = GatedTranslator(options: Self.options(maxSentences: 1, window: .zero), open: false, observer: metrics)
        let pair = t.directions[0]
        let first = Task { try await t.translate(["first"], pair: pair) }
        #expect(await eventually { t.gate.waiting == 1 })   // taken by the worker, waiting at the gate
        let doomed = Task { try await t.translate(["x1", "x2", "x3"], pair: pair) }
        #expect(await eventually { t.scheduler.queuedSentences == 3 })
        doomed.cancel()
        await #expect(throws: CancellationError.self) { try await doomed.value }
        #expect(t.scheduler.queuedSentences == 0)
        t.gate.open()
        #expect(try await first.value == ["[en] first"])
        #expect(!t.batches.flatMap { $0 }.contains { $0.hasPrefix("x") })
        #expect(metrics.exposition().contains("csanmt_sentences_dropped_total 3"))
        t.scheduler.shutdown()
    }

    @Test("a client that disconnects has its queued sentences dropped (real socket)")
    func clientDisconnect() async throws {
        let t = GatedTranslator(options: Self.options(maxSentences: 1, window: .zero), open: false)
        var config = ServerConfig()
        config.port = 0
        config.cacheEntries = 0
        let s = try await TestServer(config: config, translator: t)
        let key = try await s.tenant("org_x")
        try await ServerApp.makeApplication(s.env, logger: Logger(label: "test")).test(.live) { client in
            let token = try #require(try await client.token("org_x", key))
            let port = try #require(client.port)
            // Raw sockets for both translations: the test client's single connection gives up after 20 s, and on a
            // loaded machine the steps below can take longer while "first" waits at the gate.
            let firstFD = try RawHTTP.connect(port: port)
            defer { close(firstFD) }
            RawHTTP.send(firstFD, RawHTTP.request(path: "/api/v1/translate", json: #"{"text": "first"}"#, token: token))
            #expect(await eventually { t.gate.waiting == 1 })
            let fd = try RawHTTP.connect(port: port)
            RawHTTP.send(fd, RawHTTP.request(path: "/api/v1/translate", json: #"{"text": "gone"}"#, token: token))
            #expect(await eventually { t.scheduler.queuedSentences == 1 })
            close(fd)
            #expect(await eventually { t.scheduler.queuedSentences == 0 }, "the departed client's sentence is still queued")
            t.gate.open()
            let firstResponse = await withCheckedContinuation { done in   // a blocking read, off the cooperative pool
                Thread.detachNewThread { done.resume(returning: RawHTTP.readAll(firstFD, timeout: 120)) }
            }
            #expect(RawHTTP.status(firstResponse) == 200, "\(firstResponse)")
            #expect(!t.batches.flatMap { $0 }.contains("gone"))
        }
        t.scheduler.shutdown()
    }
}
