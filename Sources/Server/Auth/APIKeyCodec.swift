import Crypto
import Foundation

/// Generation, hashing and constant-time comparison of API keys and other random identifiers.
public enum APIKeyCodec {
    /// Every key starts with this, so leaked keys are easy to recognise (and to scan for).
    public static let keyPrefix = "csk_"
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// `count` random base62 characters from the system CSPRNG.
    public static func randomBase62(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// A new key: `csk_` + 40 base62 characters (≈238 bits).
    public static func newKey() -> String { keyPrefix + randomBase62(40) }

    /// Hex SHA-256. Keys are long random strings, so a fast hash is the right tool (no password stretching needed).
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// 32 random bytes for an HS256 signing secret.
    public static func newSecret() -> Data {
        var rng = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}
