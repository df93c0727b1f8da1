import Crypto
import Foundation
import Translation

/// Cache keys: a SHA-256 over everything that changes a translation, plus the scope that isolates tenants.
enum CacheKey {
    /// `scope` is the tenant id (the default: one tenant can't learn from cache timing what another translated) or
    /// `*` when the operator chose a shared cache.
    static func make(scope: String, model: String, pair: LanguagePair, text: String) -> String {
        var h = SHA256()
        for part in [scope, model, pair.source, pair.target, text] {
            h.update(data: Data(part.utf8))
            h.update(data: Data([0]))   // separator: ("ab","c") and ("a","bc") differ
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
