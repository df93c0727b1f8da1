import Foundation

/// The UTC day quotas are counted in. Counters reset at midnight UTC.
public struct UsageDay: Sendable, Equatable, Hashable {
    /// `YYYY-MM-DD`.
    public let key: String
    /// The next midnight UTC.
    public let resetsAt: Date

    public init(_ now: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.startOfDay(for: now)
        let c = calendar.dateComponents([.year, .month, .day], from: start)
        key = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        resetsAt = calendar.date(byAdding: .day, value: 1, to: start) ?? now.addingTimeInterval(86_400)
    }

    /// Whole seconds from `now` until the reset (at least 1).
    public func secondsUntilReset(from now: Date) -> Int { max(1, Int(resetsAt.timeIntervalSince(now).rounded(.up))) }
}
