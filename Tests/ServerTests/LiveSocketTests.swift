import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Over a real TCP socket, where the client address is known (127.0.0.1).
@Suite("Live socket: IP allow-lists and trusted proxies")
struct LiveSocketTests {
    @Test("an allow-list admits loopback and refuses a tenant restricted to 10.0.0.0/8")
    func allowList() async throws {
        let s = try TestServer()
        let inside = try s.tenant("org_in", allowedIPs: ["127.0.0.0/8", "::1"])
        let outside = try s.tenant("org_out", allowedIPs: ["10.0.0.0/8"])
        try await s.app().test(.live) { client in
            let a = try #require(try await client.token("org_in", inside))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: a).status == .ok)
            let b = try #require(try await client.token("org_out", outside))
            let r = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: b)
            #expect(r.status == .forbidden && r.errorCode == "ip_not_allowed")
            // X-Forwarded-For from an untrusted peer is ignored.
            let spoofed = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: b, headers: [.init("X-Forwarded-For")!: "10.1.2.3"])
            #expect(spoofed.status == .forbidden)
        }
    }

    @Test("X-Forwarded-For is honoured from a trusted proxy")
    func trustedProxy() async throws {
        var config = ServerConfig()
        config.trustedProxies = ["127.0.0.1/32", "::1"]
        let s = try TestServer(config: config)
        let key = try s.tenant("org_out", allowedIPs: ["10.0.0.0/8"])
        try await s.app().test(.live) { client in
            let t = try #require(try await client.token("org_out", key))
            let via = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: t, headers: [.init("X-Forwarded-For")!: "10.1.2.3"])
            #expect(via.status == .ok)
            let outside = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: t, headers: [.init("X-Forwarded-For")!: "192.0.2.9"])
            #expect(outside.status == .forbidden)
        }
        #expect(try s.auditLines().contains { $0["client_ip"] as? String == "10.1.2.3" })
    }
}
