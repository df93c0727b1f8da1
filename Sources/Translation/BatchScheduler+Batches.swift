import Foundation

/// How a batch is formed: deficit round-robin between tenants, the express lane, length buckets. Every function
/// here runs with the scheduler's lock held.
extension BatchScheduler {
    /// Deficit round-robin over the active tenants (and round-robin over each tenant's requests), all sentences
    /// from the length bucket of the first tenant served; the express lane takes the light tenants' sentences
    /// instead.
    func takeBatch(express: Bool) -> [Item] {
        guard !active.isEmpty else { return [] }
        if cursor >= active.count { cursor = 0 }
        let limit = options.enabled ? options.maxSentences : 1
        var batch: [Item] = []
        var longest = 0
        var bucket: Int?
        /// Adds the tenant's oldest sentence of the bucket; false when there is none or it does not fit.
        func takeOne(_ tenant: TenantQueue) -> Bool {
            guard let (i, k) = next(of: tenant, bucket: bucket) else { return false }
            let r = tenant.requests[i]
            let candidate = r.waiting[k]
            let newLongest = max(longest, candidate.ids.count + 1)
            if batch.count >= limit || (!batch.isEmpty && (batch.count + 1) * newLongest > options.maxTokens) { return false }
            bucket = bucket ?? Self.bucket(candidate.ids.count)
            tenant.nextRequest = (i + 1) % tenant.requests.count
            r.waiting.remove(at: k)
            batch.append((r, candidate.index, candidate.ids))
            longest = newLongest
            tenant.deficit -= max(1, candidate.ids.count)
            tenant.running += 1
            return true
        }
        if express {
            // Light tenants have a few sentences each: take them all (they are charged as usual), leaving the
            // round's cursor alone.
            for tenant in active where isLight(tenant) {
                var took = 0
                while takeOne(tenant) { took += 1 }
                if took > 0 { dequeued(tenant, took) }
            }
            guard !batch.isEmpty else { return batch }
            for tenant in active where batch.count < options.expressBatchSentences {
                var took = 0
                while batch.count < options.expressBatchSentences && takeOne(tenant) { took += 1 }
                if took > 0 { dequeued(tenant, took) }
            }
            return batch
        }
        var idleTurns = 0   // consecutive turns that added nothing
        var fastForwards = 0
        while !active.isEmpty && batch.count < limit {
            if idleTurns >= active.count {
                // A whole round added nothing: nothing of the bucket is waiting, or every tenant that has some is
                // still repaying an overdraft (one long sentence can cost several quanta). Play the rounds that
                // would pass at once, so the batch still fills: the same order as deficit round-robin, without
                // idling.
                // Each fast-forward is followed by at least one sentence (or a full batch); the count is a backstop.
                guard fastForwards <= limit + active.count, let rounds = roundsUntilEligible(bucket) else { break }
                for t in active { t.deficit += rounds * options.quantumTokens * t.weight }
                fastForwards += 1
                idleTurns = 0
            }
            if cursor >= active.count { cursor = 0 }
            let tenant = active[cursor]
            if !turnOpen {
                let quantum = options.quantumTokens * tenant.weight
                tenant.deficit = min(tenant.deficit + quantum, 2 * quantum)   // credit does not pile up while skipped
                turnOpen = true
            }
            var took = 0
            var full = false
            while tenant.deficit > 0 {
                if takeOne(tenant) { took += 1; continue }
                full = batch.count >= limit || next(of: tenant, bucket: bucket) != nil   // it exists but does not fit
                break
            }
            idleTurns = took > 0 ? 0 : idleTurns + 1
            if took > 0 { dequeued(tenant, took) }   // may take the tenant out of the round and move the cursor
            // A full batch leaves the turn open: the tenant goes on with its credit in the next batch.
            if full || batch.count >= limit { break }
            // The turn ends: credit spent, or nothing of this bucket left. (An emptied tenant already left.)
            if cursor < active.count && active[cursor] === tenant { advance() }
        }
        return batch
    }

    /// Whole rounds to skip before some tenant with a sentence of `bucket` would have credit at its next turn;
    /// nil when no tenant has such a sentence. Called with the lock held.
    private func roundsUntilEligible(_ bucket: Int?) -> Int? {
        active.filter { next(of: $0, bucket: bucket) != nil }
            .map { t in max(0, -t.deficit) / (options.quantumTokens * t.weight) }
            .min()
    }

    private func advance() {
        turnOpen = false
        cursor = active.isEmpty ? 0 : (cursor + 1) % active.count
    }

    /// The next waiting sentence of the tenant in `bucket` (any bucket when nil): round-robin over its requests,
    /// one sentence each, so a tenant's own small request is not stuck behind its own large one.
    /// Returns (index in `tenant.requests`, index in that request's `waiting`); looking does not move the rotation.
    private func next(of tenant: TenantQueue, bucket: Int?) -> (Int, Int)? {
        let n = tenant.requests.count
        guard n > 0 else { return nil }
        for step in 0..<n {
            let i = (tenant.nextRequest + step) % n
            if let k = tenant.requests[i].waiting.firstIndex(where: { bucket == nil || Self.bucket($0.ids.count) == bucket }) {
                return (i, k)
            }
        }
        return nil
    }

    /// Length buckets 1–8, 9–16, 17–32, 33–64, 65–128, 129+ source tokens.
    static func bucket(_ n: Int) -> Int {
        switch n {
        case ...8: return 0
        case ...16: return 1
        case ...32: return 2
        case ...64: return 3
        case ...128: return 4
        default: return 5
        }
    }
}
