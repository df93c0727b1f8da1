import Foundation
import HTTPTypes

/// `RateLimit-Policy` / `RateLimit` (IETF draft-ietf-httpapi-ratelimit-headers, structured-field form) and the 429.
enum RateLimitHeaders {
    static let policy = HTTPField.Name("RateLimit-Policy")!
    static let state = HTTPField.Name("RateLimit")!

    /// e.g. `RateLimit-Policy: "requests";q=1000;w=86400, "characters";q=500000;w=86400` and
    /// `RateLimit: "requests";r=998;t=3600, "characters";r=499120;t=3600`. Nothing when the tenant is unlimited.
    static func apply(to headers: inout HTTPFields, limits: QuotaLimits, usage: QuotaUsage, resetIn: Int) {
        var policies: [String] = []
        var states: [String] = []
        for (name, limit, used) in [("requests", limits.requests, usage.requests), ("characters", limits.characters, usage.characters)] {
            guard let limit else { continue }
            policies.append("\"\(name)\";q=\(limit);w=86400")
            states.append("\"\(name)\";r=\(max(0, limit - used));t=\(resetIn)")
        }
        guard !policies.isEmpty else { return }
        headers[policy] = policies.joined(separator: ", ")
        headers[state] = states.joined(separator: ", ")
    }

}

/// A daily quota that this request would exceed (mapped to 429 `quota_exceeded` in one place).
public struct QuotaExceeded: Error, Sendable {
    public let kind: QuotaKind
    public let limits: QuotaLimits
    public let usage: QuotaUsage
    public let day: UsageDay
    public let now: Date
}

extension APIError {
    /// 429 naming the limit and when it resets, with `Retry-After` and the RateLimit headers.
    static func quotaExceeded(_ e: QuotaExceeded) -> APIError {
        let (kind, limits, usage, day) = (e.kind, e.limits, e.usage, e.day)
        let resetIn = day.secondsUntilReset(from: e.now)
        var h = HTTPFields()
        h[.retryAfter] = String(resetIn)
        RateLimitHeaders.apply(to: &h, limits: limits, usage: usage, resetIn: resetIn)
        let reset = ISO8601DateFormatter().string(from: day.resetsAt)
        let message: String
        switch kind {
        case .requests:
            message = "daily request quota of \(limits.requests ?? 0) reached (\(usage.requests) used); it resets at \(reset)"
        case .characters:
            message = "daily character quota of \(limits.characters ?? 0) would be exceeded (\(usage.characters) used); it resets at \(reset)"
        }
        return APIError(.tooManyRequests, "quota_exceeded", message, headers: h,
                        details: ["limit": kind.rawValue, "reset_at": reset])
    }
}
