import HTTPTypes
import NIOCore
import Testing
@testable import Server

@Suite("CIDR matching")
struct NetTests {
    @Test("IPv4 and IPv6 blocks, hosts, mapped addresses and bad input")
    func cidr() async throws {
        let v4 = try #require(CIDR("10.0.0.0/8"))
        #expect(v4.contains(try #require(IPAddress("10.200.3.4"))))
        #expect(!v4.contains(try #require(IPAddress("11.0.0.1"))))
        #expect(v4.contains(try #require(IPAddress("::ffff:10.1.1.1"))))
        let v6 = try #require(CIDR("2001:db8::/32"))
        #expect(v6.contains(try #require(IPAddress("2001:db8:1::5"))))
        #expect(!v6.contains(try #require(IPAddress("2001:db9::1"))))
        #expect(try #require(CIDR("192.0.2.7")).contains(try #require(IPAddress("192.0.2.7"))))
        #expect(!(try #require(CIDR("192.0.2.7")).contains(try #require(IPAddress("192.0.2.8")))))
        #expect(try #require(CIDR("0.0.0.0/0")).contains(try #require(IPAddress("8.8.8.8"))))
        for bad in ["10.0.0.0/33", "300.1.1.1", "abc", "::/129", ""] { #expect(CIDR(bad) == nil, "\(bad)") }
    }
}

@Suite("Client address and input bounds")
struct ResolverTests {
    @Test("unreadable or proxy-only X-Forwarded-For from a trusted proxy fails closed; ports and brackets are read")
    func forwarded() async throws {
        let r = ClientAddressResolver(trustedProxies: [try #require(CIDR("10.0.0.2"))])
        let peer = try SocketAddress(ipAddress: "10.0.0.2", port: 1234)
        func ip(_ xff: String?) -> String? {
            var h = HTTPFields()
            if let xff { h[.init("X-Forwarded-For")!] = xff }
            return r.clientIP(peer: peer, headers: h)?.description
        }
        #expect(ip(nil) == "10.0.0.2")
        #expect(ip("203.0.113.7") == "203.0.113.7")
        #expect(ip("203.0.113.7:51234") == "203.0.113.7")
        #expect(ip("[2001:db8::1]:443") == "2001:db8::1")
        #expect(ip("garbage") == nil)
        #expect(ip("10.0.0.2") == nil)
        #expect(ip("198.51.100.1, 10.0.0.2") == "198.51.100.1")
        #expect(CIDR("10.0.0.0/") == nil)
    }

    @Test("key expiry and server settings are range-checked")
    func bounds() async throws {
        let s = try await TestServer()
        try await s.tenant("org_a")
        await #expect(throws: StoreError.self) { try await s.store.createKey(tenantID: "org_a", expiresInDays: 3_000_000) }
        var c = ServerConfig()
        c.tokenLifetime = 1e20
        #expect(throws: StoreError.self) { try c.validate() }
        #expect(throws: StoreError.self) { try ServerConfig.load(file: nil, environment: ["CSANMT_PORT": "0"]) }
        #expect(try ServerConfig.load(file: nil, environment: ["CSANMT_PORT": "9000", "CSANMT_TRUSTED_PROXIES": "10.0.0.1, ::1"]).trustedProxies == ["10.0.0.1", "::1"])
    }
}
