import Foundation
import HTTPTypes

/// A request refused by a short-window rate limit (mapped to 429 `rate_limited` in one place).
public struct RateLimited: Error, Sendable, Equatable {
    public let rule: RateRule
    /// Seconds until the request would pass; nil when it is larger than the whole burst.
    public let retryAfter: Double?
}

extension APIError {
    /// 429 `concurrency_limit`: the tenant is over its share of this replica; other tenants are unaffected.
    static func concurrencyLimit(_ message: String, retryAfter seconds: Int) -> APIError {
        var h = HTTPFields()
        h[.retryAfter] = String(seconds)
        return APIError(.tooManyRequests, "concurrency_limit", message, headers: h, details: ["retry_after": String(seconds)])
    }

    static func rateLimited(_ e: RateLimited) -> APIError {
        let retry = max(1, Int((e.retryAfter ?? Double(e.rule.window)).rounded(.up)))
        var h = HTTPFields()
        h[.retryAfter] = String(retry)
        h[RateLimitHeaders.policy] = "\"\(e.rule.name)\";q=\(e.rule.quota);w=\(e.rule.window)"
        h[RateLimitHeaders.state] = "\"\(e.rule.name)\";r=0;t=\(retry)"
        let unit = e.rule.window == 1 ? "requests per second" : "characters per minute"
        let who = e.rule.name.hasPrefix("key") ? "this API key" : "this tenant"
        let message = e.retryAfter == nil
            ? "this request (\(Int(e.rule.cost)) characters) is larger than \(who)'s limit of \(e.rule.quota) \(unit); split it"
            : "\(who) is limited to \(e.rule.quota) \(unit) (burst \(Int(e.rule.burst))); retry in \(retry) s"
        return APIError(.tooManyRequests, "rate_limited", message, headers: h,
                        details: ["limit": e.rule.name, "retry_after": String(retry)])
    }
}
