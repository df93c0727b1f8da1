import Testing
@testable import Server

@Suite("CIDR matching")
struct NetTests {
    @Test("IPv4 and IPv6 blocks, hosts, mapped addresses and bad input")
    func cidr() throws {
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
