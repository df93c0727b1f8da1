#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as 16 bytes (IPv4 is stored IPv4-mapped, `::ffff:a.b.c.d`, so both families compare
/// in one space).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]   // 16 bytes
    public let isIPv4: Bool
    private let text: String

    /// Parses dotted IPv4 or any IPv6 text form (`inet_pton`). Zone ids (`%eth0`) are ignored.
    public init?(_ string: String) {
        let s = String(string.split(separator: "%", maxSplits: 1).first ?? "")
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            bytes = [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + b
            isIPv4 = true
            text = s
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, s, &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: v6) { Array($0) }
        isIPv4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        text = s
    }

    public var description: String { text }
}

/// A CIDR block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address means a single host.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    /// Prefix length in the 128-bit space (IPv4 /n is stored as /96+n).
    let prefix: Int
    public let description: String

    /// `0.0.0.0/0` or `::/0`: every address of its family.
    public var coversEverything: Bool { network.isIPv4 ? prefix <= 96 : prefix == 0 }

    public init?(_ string: String) {
        let parts = string.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let address = IPAddress(first) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...width).contains(n) else { return nil }
            length = n
        }
        network = address
        prefix = length + (address.isIPv4 ? 96 : 0)
        description = parts.count == 2 ? string : "\(first)/\(width)"
    }

    /// Whether `address` lies in this block.
    public func contains(_ address: IPAddress) -> Bool {
        var remaining = prefix
        for i in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if network.bytes[i] & mask != address.bytes[i] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
