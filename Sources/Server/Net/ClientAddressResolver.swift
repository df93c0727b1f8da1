import HTTPTypes
import Hummingbird
import NIOCore

/// Finds the client's IP: the TCP peer, or, when the peer is a configured trusted proxy, the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Untrusted peers cannot spoof their address.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) { self.trustedProxies = trustedProxies }

    func isTrusted(_ ip: IPAddress) -> Bool { trustedProxies.contains { $0.contains(ip) } }

    public func clientIP(peer: SocketAddress?, headers: HTTPFields) -> IPAddress? {
        guard let peerText = peer?.ipAddress, let peerIP = IPAddress(peerText) else { return nil }
        guard isTrusted(peerIP) else { return peerIP }
        let forwarded = headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for entry in forwarded.reversed() {
            guard let ip = IPAddress(entry) else { return peerIP }   // garbage: do not trust anything further left
            if !isTrusted(ip) { return ip }
        }
        return peerIP
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xRequestID = Self("X-Request-Id")!
}
