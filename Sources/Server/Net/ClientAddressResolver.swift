import HTTPTypes
import Hummingbird
import NIOCore

/// Finds the client's IP: the TCP peer, or, when the peer is a configured trusted proxy, the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Untrusted peers cannot spoof their address.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) { self.trustedProxies = trustedProxies }

    func isTrusted(_ ip: IPAddress) -> Bool { trustedProxies.contains { $0.contains(ip) } }

    /// Nil when the address cannot be established (then allow-lists refuse the request).
    public func clientIP(peer: SocketAddress?, headers: HTTPFields) -> IPAddress? {
        guard let peerText = peer?.ipAddress, let peerIP = IPAddress(peerText) else { return nil }
        guard isTrusted(peerIP) else { return peerIP }
        let forwarded = headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !forwarded.isEmpty else { return peerIP }   // the proxy itself is calling
        for entry in forwarded.reversed() {
            guard let ip = Self.parse(entry) else { return nil }   // unreadable: fail closed, trust nothing further left
            if !isTrusted(ip) { return ip }
        }
        return nil   // only proxies listed: the client is unknown
    }

    /// An X-Forwarded-For entry: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
    static func parse(_ entry: String) -> IPAddress? {
        if let ip = IPAddress(entry) { return ip }
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            return IPAddress(String(entry[entry.index(after: entry.startIndex)..<close]))
        }
        let parts = entry.split(separator: ":")
        if parts.count == 2, Int(parts[1]) != nil { return IPAddress(String(parts[0])) }
        return nil
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xRequestID = Self("X-Request-Id")!
}
