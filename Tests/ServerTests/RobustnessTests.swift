import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Server

/// Limits that keep hostile or mistaken input from reaching what it should not: the connection cap, reserved
/// tenant ids, bounded quotas, counters that never go negative, and warnings about settings that open a hole.
@Suite("Robustness limits")
struct RobustnessTests {
    /// The time to answer after the flood is measured by Tools/benchmarks/connection_flood (docs/robustness.md), not
    /// here: tests do not time things on a shared machine.
    @Test("over max_connections a connection gets 503 too_many_connections and is closed; once the flood stops, a new client is answered")
    func connectionCap() async throws {
        var config = ServerConfig()
        config.port = 0
        config.maxConnections = 3
        let s = try await TestServer(config: config)
        try await ServerApp.makeApplication(s.env, logger: Logger(label: "test")).test(.live) { client in
            let port = try #require(client.port)
            // A flood of connections that send nothing (the cap counts them all).
            var flood: [Int32] = []
            for _ in 0..<8 { flood.append(try RawHTTP.connect(port: port)) }
            #expect(await eventually(60) { s.env.connections.current == 3 })
            let refused = try await blocking { try RawHTTP.exchange(port: port, RawHTTP.request(method: "GET", path: "/api/health")) }
            #expect(RawHTTP.status(refused) == 503 && refused.contains("too_many_connections") && refused.lowercased().contains("connection: close"))
            for fd in flood { close(fd) }
            #expect(await eventually(60) { s.env.connections.current == 0 })
            let ok = try await blocking { try RawHTTP.exchange(port: port, RawHTTP.request(method: "GET", path: "/api/health")) }
            #expect(RawHTTP.status(ok) == 200)
        }
    }

    @Test("a request head over 80 KiB gets 431 request_head_too_large and malformed HTTP a 400, both JSON with a request id, not a bare 400")
    func parserErrors() async throws {
        var config = ServerConfig()
        config.port = 0
        let s = try await TestServer(config: config)
        try await ServerApp.makeApplication(s.env, logger: Logger(label: "test")).test(.live) { client in
            let port = try #require(client.port)
            let long = try await blocking {
                try RawHTTP.exchange(port: port, RawHTTP.request(method: "GET", path: "/language/translate/v2?q=" + String(repeating: "0", count: 82_000)))
            }
            #expect(RawHTTP.status(long) == 431 && long.contains(#""code":"request_head_too_large""#))
            #expect(long.contains("X-Request-Id: req_") && long.contains("application/json"))
            let malformed = try await blocking { try RawHTTP.exchange(port: port, "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n") }
            #expect(RawHTTP.status(malformed) == 400 && malformed.contains(#""code":"malformed_request""#))
            let fine = try await blocking { try RawHTTP.exchange(port: port, RawHTTP.request(method: "GET", path: "/api/health")) }
            #expect(RawHTTP.status(fine) == 200, "the server carries on")
        }
    }

    @Test("route words cannot be tenant ids; quotas are bounded so counting cannot overflow")
    func reservedAndBounded() async throws {
        let s = try await TestServer()
        for word in ["admin", "auth", "usage", "whoami", "translate"] {
            await #expect { try await s.store.createTenant(id: word, name: "x") } throws: { "\($0)".contains("reserved") }
        }
        await #expect(throws: StoreError.self) { try await s.store.createTenant(id: "org_big", name: "x", dailyCharacters: Int.max) }
        await #expect(throws: StoreError.self) { try await s.store.createTenant(id: "org_neg", name: "x", dailyRequests: -1) }
        #expect(try await s.store.createTenant(id: "org_max", name: "x", dailyCharacters: StoreRules.maxQuota).dailyCharacters == StoreRules.maxQuota)
        #expect(try await s.store.createOperator(id: "admin", name: "an operator may be called admin").0.id == "admin")
    }

    @Test("a refund larger than the count leaves 0 in Redis, never a negative count",
          .enabled(if: RedisTestServer.available || ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] != nil,
                   "redis-server is not installed"))
    func refundsFloorAtZero() async throws {
        let own = ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] == nil ? try RedisTestServer() : nil
        let url = ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] ?? own?.url ?? ""
        let counter = RedisQuotaCounter(client: RedisClient(url: try RedisURL(url)), mode: .failClosed)
        let tenant = "org_\(UInt32.random(in: 0...UInt32.max))", day = UsageDay(Date())
        _ = try await counter.consume(tenant: tenant, day: day, requests: 1, characters: 5, limits: QuotaLimits(requests: 10, characters: 100))
        try await counter.refund(tenant: tenant, day: day, requests: 3, characters: 50)
        #expect((try await counter.usage(tenants: [tenant], day: day)[tenant] ?? QuotaUsage()) == QuotaUsage(), "0, not -2 and -45")
        let next = try await counter.consume(tenant: tenant, day: day, requests: 1, characters: 5, limits: QuotaLimits(requests: 10, characters: 100))
        #expect(next == .allowed(QuotaUsage(requests: 1, characters: 5)))
        _ = own
    }

    @Test("trusted_proxies covering every address is a start-up warning")
    func proxyWarning() async throws {
        var config = ServerConfig()
        config.trustedProxies = ["10.0.0.0/8", "0.0.0.0/0", "::/0"]
        let s = try await TestServer(config: config)
        #expect(s.env.warnings.count == 2 && s.env.warnings.allSatisfy { $0.contains("covers every address") })
        #expect(try await TestServer().env.warnings.isEmpty)
    }

    @Test("rediss:// is refused with the reason (Debian's hiredis has no TLS), not taken for a malformed URL")
    func redissRefused() {
        #expect { try RedisURL("rediss://redis.internal:6380/0") } throws: { "\($0)".contains("Redis over TLS) is not supported") }
        #expect((try? RedisURL("redis://127.0.0.1:6379/0")) != nil)
    }
}
