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
        let s = try await TestServer()
        let inside = try await s.tenant("org_in", allowedIPs: ["127.0.0.0/8", "::1"])
        let outside = try await s.tenant("org_out", allowedIPs: ["10.0.0.0/8"])
        try await s.app().test(.live) { client in
            let a = try #require(try await client.token("org_in", inside))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: a).status == .ok)
            // The key cannot even be exchanged for a token from outside the allow-list.
            let refused = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_out", "api_key": "\#(outside)"}"#)
            #expect(refused.status == .forbidden && refused.errorCode == "ip_not_allowed")
            // X-Forwarded-For from an untrusted peer is ignored.
            let spoofed = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_out", "api_key": "\#(outside)"}"#,
                                                    headers: [.init("X-Forwarded-For")!: "10.1.2.3"])
            #expect(spoofed.status == .forbidden)
        }
    }

    @Test("X-Forwarded-For is honoured from a trusted proxy")
    func trustedProxy() async throws {
        var config = ServerConfig()
        config.trustedProxies = ["127.0.0.1/32", "::1"]
        let s = try await TestServer(config: config)
        let key = try await s.tenant("org_out", allowedIPs: ["10.0.0.0/8"])
        try await s.app().test(.live) { client in
            let tokenResponse = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_out", "api_key": "\#(key)"}"#,
                                                          headers: [.init("X-Forwarded-For")!: "10.1.2.3"])
            let t = try #require(tokenResponse.json?["token"] as? String)
            let via = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: t, headers: [.init("X-Forwarded-For")!: "10.1.2.3"])
            #expect(via.status == .ok)
            let outside = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: t, headers: [.init("X-Forwarded-For")!: "192.0.2.9"])
            #expect(outside.status == .forbidden)
        }
        #expect(try s.auditLines().contains { $0["client_ip"] as? String == "10.1.2.3" })
    }
}
