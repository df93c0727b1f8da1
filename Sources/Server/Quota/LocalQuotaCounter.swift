import Foundation

/// In-process counters: for a single replica without Redis, and the fallback of `fail-open`. Lost on restart.
public final class LocalQuotaCounter: QuotaCounter, @unchecked Sendable {
    public let backend = "local"
    private let lock = NSLock()
    private var counts: [String: QuotaUsage] = [:]   // "tenant|day" → usage
    private var currentDay = ""

    public init() {}

    public func consume(tenant: String, day: UsageDay, requests: Int, characters: Int, limits: QuotaLimits) -> QuotaDecision {
        consume(tenant: tenant, day: day, add: QuotaUsage(requests: requests, characters: characters), limits: limits, base: QuotaUsage())
    }

    /// Check-and-count against `base` + this process's count, under one lock (fail-open adds the last Redis counts).
    func consume(tenant: String, day: UsageDay, add: QuotaUsage, limits: QuotaLimits, base: QuotaUsage) -> QuotaDecision {
        let key = tenant + "|" + day.key
        lock.lock()
        defer { lock.unlock() }
        dropOtherDays(day)
        let mine = counts[key] ?? QuotaUsage()
        let current = base + mine
        if let kind = current.exceeded(adding: add, limits: limits) { return .rejected(kind, current) }
        counts[key] = mine + add
        return .allowed(current + add)
    }

    public func refund(tenant: String, day: UsageDay, requests: Int, characters: Int) {
        add(tenant: tenant, day: day, QuotaUsage(requests: -requests, characters: -characters))
    }

    public func addEngineTime(_ milliseconds: [String: Int], day: UsageDay) {
        for (tenant, ms) in milliseconds { add(tenant: tenant, day: day, QuotaUsage(engineMilliseconds: ms)) }
    }

    public func usage(tenants: [String], day: UsageDay) -> [String: QuotaUsage] {
        lock.lock()
        defer { lock.unlock() }
        var result: [String: QuotaUsage] = [:]
        for t in tenants { if let u = counts[t + "|" + day.key] { result[t] = u } }
        return result
    }

    public func isReachable() async -> Bool { true }

    /// Adds to a day's count unconditionally (fail-open bookkeeping).
    func add(tenant: String, day: UsageDay, _ delta: QuotaUsage) { add(tenant: tenant, dayKey: day.key, delta) }

    func add(tenant: String, dayKey: String, _ delta: QuotaUsage) {
        lock.lock()
        counts[tenant + "|" + dayKey] = (counts[tenant + "|" + dayKey] ?? QuotaUsage()) + delta
        lock.unlock()
    }

    /// Takes and clears every count (fail-open reconciliation).
    func drain() -> [(tenant: String, day: String, usage: QuotaUsage)] {
        lock.lock()
        defer { counts = [:]; lock.unlock() }
        return counts.map { key, usage in
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "", usage)
        }
    }

    private func dropOtherDays(_ day: UsageDay) {
        // Yesterday's counters are dead weight once the day has turned.
        // Only forward: a late request still carrying yesterday must not wipe today's counts.
        guard day.key > currentDay else { return }
        currentDay = day.key
        counts = counts.filter { $0.key.hasSuffix("|" + day.key) }
    }
}
