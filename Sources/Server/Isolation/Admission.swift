import Foundation

/// Admission before work: a request enters only while its tenant is within its share of this replica, checked
/// before anything is tokenised. Counts requests in flight per tenant; the tenant's waiting sentences come from
/// the translator. In-process on purpose: it guards this replica's engine (each replica admits on its own).
public final class Admission: @unchecked Sendable {
    private let lock = NSLock()
    private var inFlight: [String: Int] = [:]

    public init() {}

    /// A place in flight; ``release()`` gives it back (the route does, whatever happens to the request).
    public final class Ticket: @unchecked Sendable {
        private weak var owner: Admission?
        private let tenant: String
        private var released = false
        private let lock = NSLock()
        init(owner: Admission, tenant: String) {
            self.owner = owner
            self.tenant = tenant
        }
        public func release() {
            lock.lock()
            let first = !released
            released = true
            lock.unlock()
            if first { owner?.leave(tenant) }
        }
        deinit { release() }
    }

    /// Why a request was not admitted.
    public enum Refusal: Error, Equatable, Sendable {
        case inFlight(limit: Int)
        case queued(sentences: Int, limit: Int)
    }

    /// Admits a request of `tenant`, or throws ``Refusal``. `queuedSentences` is the tenant's backlog now.
    public func admit(tenant: String, limits: EffectiveLimits, queuedSentences: Int) throws -> Ticket {
        if let limit = limits.maxQueuedSentences, queuedSentences >= limit {
            throw Refusal.queued(sentences: queuedSentences, limit: limit)
        }
        lock.lock()
        defer { lock.unlock() }
        let current = inFlight[tenant] ?? 0
        if let limit = limits.maxInFlight, current >= limit { throw Refusal.inFlight(limit: limit) }
        inFlight[tenant] = current + 1
        return Ticket(owner: self, tenant: tenant)
    }

    private func leave(_ tenant: String) {
        lock.lock()
        let n = (inFlight[tenant] ?? 1) - 1
        inFlight[tenant] = n > 0 ? n : nil
        lock.unlock()
    }
}
