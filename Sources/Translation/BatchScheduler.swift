import Foundation

/// Merges the sentences of concurrent requests into engine batches, fairly between tenants.
///
/// Each tenant has its own queue of requests. Batches are filled by deficit round-robin over source tokens:
/// on its turn a tenant earns `quantumTokens × weight` tokens of credit and adds sentences while its credit lasts
/// (the last one may overdraw it; the debt is repaid on later turns). So under contention tenants share the engine
/// in proportion to their weights, however many requests or sentences each has queued, and a tenant that arrives
/// behind a backlog of thousands of sentences is in the next batch. One batch holds sentences of many tenants, all
/// of one length bucket (less padding). Within a tenant, its requests take turns, one sentence each.
///
/// Workers are dedicated threads: engine calls block for tens of milliseconds and must not occupy Swift's
/// cooperative pool or a NIO event loop. Express workers take only light tenants (see ``BatchingOptions``).
/// A cancelled request (client gone, deadline passed) has its waiting sentences removed at once.
public final class BatchScheduler<Output: Sendable>: @unchecked Sendable {
    public typealias Run = @Sendable ([[Int32]]) throws -> [Output]
    public let options: BatchingOptions
    private let run: Run
    private let tokens: @Sendable (Output) -> Int
    private let observer: SchedulerObserver?
    private let condition = NSCondition()
    private var tenants: [String: TenantQueue] = [:]
    // The round's state, shared with BatchScheduler+Batches.swift; guarded by `condition` like the rest.
    /// Tenants with sentences waiting, in round-robin order; `cursor` is the one whose turn it is.
    var active: [TenantQueue] = []
    var cursor = 0
    /// Whether the tenant at `cursor` has already earned its quantum for this turn (a turn can span batches).
    var turnOpen = false
    private var queued = 0
    private var nextID = 0
    private var stopped = false
    private var averageSecondsPerBatch = 0.2

    final class TenantQueue {
        let id: String
        var weight = 1
        var deficit = 0
        var requests: [Request] = []   // arrival order
        var queued = 0                 // sentences waiting
        var running = 0                // sentences in running batches
        var nextRequest = 0            // round-robin over the tenant's own requests
        init(id: String) { self.id = id }
    }

    final class Request {
        let id: Int
        let tenant: TenantQueue
        var waiting: [(index: Int, ids: [Int32])]
        var results: [Output?]
        var remaining: Int
        var continuation: CheckedContinuation<[Output], Error>?
        let submitted = ContinuousClock.now
        /// Whether a sentence of it has entered a batch (its queue wait is recorded then).
        var started = false
        init(id: Int, tenant: TenantQueue, sentences: [[Int32]], continuation: CheckedContinuation<[Output], Error>) {
            self.id = id
            self.tenant = tenant
            waiting = sentences.enumerated().map { ($0.offset, $0.element) }
            results = Array(repeating: nil, count: sentences.count)
            remaining = sentences.count
            self.continuation = continuation
        }
    }

    /// - Parameters:
    ///   - tokens: the output length of one result (for the tokens/s metric).
    ///   - run: one engine call; one output per input, in order.
    public init(options: BatchingOptions, observer: SchedulerObserver? = nil,
                tokens: @escaping @Sendable (Output) -> Int = { _ in 0 }, run: @escaping Run) {
        self.options = options
        self.observer = observer
        self.tokens = tokens
        self.run = run
        let express = options.enabled ? max(0, options.expressWorkers) : 0
        for i in 0..<(max(1, options.workers) + express) {
            let isExpress = i >= max(1, options.workers)
            let nice = isExpress ? 0 : (express > 0 ? options.regularWorkerNice : 0)
            startDedicatedThread(name: isExpress ? "csanmt-engine-express-\(i)" : "csanmt-engine-\(i)") { [weak self] in
                if nice != 0 { lowerThreadPriority(nice) }
                self?.workerLoop(express: isExpress)
            }
        }
    }

    deinit { shutdown() }

    /// Stops the workers once the queue is empty (tests; the server keeps its scheduler for its lifetime).
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sentences waiting now, all tenants.
    public var queuedSentences: Int {
        condition.lock()
        defer { condition.unlock() }
        return queued
    }

    /// Sentences of `tenant` waiting now.
    public func queuedSentences(tenant: String) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return tenants[tenant]?.queued ?? 0
    }

    /// Translates `sentences` (one output each, same order) as `owner`. Throws
    /// ``TranslationError/busy(retryAfterSeconds:)`` when the global queue cannot take them,
    /// ``TranslationError/overShare(retryAfterSeconds:)`` when the tenant's own queue is full, and
    /// `CancellationError` when the calling task is cancelled first.
    public func submit(_ sentences: [[Int32]], as owner: SchedulingClass) async throws -> [Output] {
        guard !sentences.isEmpty else { return [] }
        let id: Int = {
            condition.lock()
            defer { condition.unlock() }
            nextID += 1
            return nextID
        }()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                defer { condition.unlock() }
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                if stopped {
                    continuation.resume(throwing: TranslationError.busy(retryAfterSeconds: 5))
                    return
                }
                let perBatch = Double(max(1, options.enabled ? options.maxSentences : 1))
                let workers = Double(max(1, options.workers))
                let mine = tenants[owner.tenant]?.queued ?? 0
                if let limit = owner.maxQueued, mine > 0, mine + sentences.count > limit {
                    // Rough time for this tenant's backlog to drain at its share.
                    let wait = Int((Double(mine) / perBatch * averageSecondsPerBatch).rounded(.up))
                    continuation.resume(throwing: TranslationError.overShare(retryAfterSeconds: max(1, min(wait, 60))))
                    return
                }
                guard sentences.count <= options.maxQueued else {
                    // Would never fit, however long the client waits.
                    continuation.resume(throwing: TooManySentences(count: sentences.count, limit: options.maxQueued))
                    return
                }
                guard queued + sentences.count <= options.maxQueued else {
                    let wait = Int((Double(queued) / perBatch * averageSecondsPerBatch / workers).rounded(.up))
                    continuation.resume(throwing: TranslationError.busy(retryAfterSeconds: max(1, min(wait, 60))))
                    return
                }
                let tenant = tenants[owner.tenant] ?? {
                    let t = TenantQueue(id: owner.tenant)
                    tenants[owner.tenant] = t
                    return t
                }()
                tenant.weight = max(1, owner.weight)
                if tenant.queued == 0 { active.append(tenant) }   // joins the round at its end
                tenant.requests.append(Request(id: id, tenant: tenant, sentences: sentences, continuation: continuation))
                tenant.queued += sentences.count
                queued += sentences.count
                observer?.queueDepth(queued)
                condition.broadcast()
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Drops a request's waiting sentences; sentences already in a batch finish and are discarded.
    private func cancel(_ id: Int) {
        condition.lock()
        guard let tenant = tenants.values.first(where: { $0.requests.contains { $0.id == id } }),
              let i = tenant.requests.firstIndex(where: { $0.id == id }) else { condition.unlock(); return }
        let r = tenant.requests[i]
        let dropped = r.waiting.count
        r.waiting.removeAll()
        tenant.requests.remove(at: i)
        dequeued(tenant, dropped)
        let continuation = r.continuation
        r.continuation = nil
        observer?.queueDepth(queued)
        condition.broadcast()   // the tenant may have become light enough for the express lane
        condition.unlock()
        if dropped > 0 { observer?.sentencesDropped(dropped) }
        continuation?.resume(throwing: CancellationError())
    }

    /// Bookkeeping when `count` of `tenant`'s sentences leave the queue; an emptied tenant leaves the round.
    /// Called with the lock held.
    func dequeued(_ tenant: TenantQueue, _ count: Int) {
        tenant.queued -= count
        queued -= count
        guard tenant.queued == 0, let i = active.firstIndex(where: { $0 === tenant }) else { return }
        active.remove(at: i)
        tenant.deficit = min(tenant.deficit, 0)   // unused credit lapses; an overdraft is still repaid
        if i < cursor { cursor -= 1 } else if i == cursor { turnOpen = false }
        if cursor >= active.count { cursor = 0 }
        forgetIfIdle(tenant)
    }

    /// Drops the entry of a tenant with nothing waiting, running or unanswered. Called with the lock held.
    private func forgetIfIdle(_ tenant: TenantQueue) {
        if tenant.queued == 0 && tenant.running == 0 && tenant.requests.isEmpty && tenants[tenant.id] === tenant {
            tenants[tenant.id] = nil
        }
    }

    // MARK: Workers

    private func workerLoop(express: Bool) {
        while let batch = nextBatch(express: express) {
            if batch.isEmpty { continue }
            let (result, seconds) = runTimed(batch)
            if case .failure = result, batch.count > 1 {
                // A batch mixes tenants: one sentence the engine cannot take must not fail the others' requests.
                // Run them one at a time; only the request of the failing sentence fails.
                for item in batch {
                    let (single, s) = runTimed([item])
                    complete([item], single, seconds: s)
                }
                continue
            }
            complete(batch, result, seconds: seconds)
        }
    }

    private func runTimed(_ batch: [Item]) -> (Result<[Output], Error>, Double) {
        let start = ContinuousClock.now
        let result = Result { () throws -> [Output] in
            let outputs = try run(batch.map(\.ids))
            guard outputs.count == batch.count else {
                throw TranslationError.failed("the engine returned \(outputs.count) results for \(batch.count) sentences")
            }
            return outputs
        }
        return (result, Self.seconds(ContinuousClock.now - start))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    typealias Item = (request: Request, index: Int, ids: [Int32])

    /// Tenants an express worker may serve: nothing running, little waiting.
    func isLight(_ t: TenantQueue) -> Bool { t.running == 0 && t.queued <= options.expressMaxSentences }

    /// Blocks until there is work; nil when stopped.
    private func nextBatch(express: Bool) -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while express ? !active.contains(where: isLight) : queued == 0 {
            if stopped { return nil }
            condition.wait()
        }
        // Give concurrent requests a moment to arrive, unless a full batch is already waiting.
        if options.enabled && queued < options.maxSentences && !express {
            let deadline = Date().addingTimeInterval(Self.seconds(options.window))
            while queued < options.maxSentences && Date() < deadline && !stopped {
                _ = condition.wait(until: deadline)
            }
            if queued == 0 { return stopped ? nil : [] }
        }
        let batch = takeBatch(express: express)
        for item in batch where !item.request.started {
            item.request.started = true
            observer?.queueWait(tenant: item.request.tenant.id, seconds: Self.seconds(ContinuousClock.now - item.request.submitted))
        }
        observer?.queueDepth(queued)
        return batch
    }

    private func complete(_ batch: [Item], _ result: Result<[Output], Error>, seconds: Double) {
        var finished: [(CheckedContinuation<[Output], Error>, Result<[Output], Error>)] = []
        // Engine time split by source tokens, per tenant (metered even for requests whose client left).
        let totalTokens = Double(max(1, batch.reduce(0) { $0 + max(1, $1.ids.count) }))
        var perTenant: [String: Double] = [:]
        var droppedAfterFailure = 0
        condition.lock()
        averageSecondsPerBatch = 0.8 * averageSecondsPerBatch + 0.2 * seconds
        for item in batch {
            perTenant[item.request.tenant.id, default: 0] += seconds * Double(max(1, item.ids.count)) / totalTokens
            item.request.tenant.running -= 1
        }
        switch result {
        case .success(let outputs):
            for (k, item) in batch.enumerated() where item.request.continuation != nil {
                let r = item.request
                r.results[item.index] = outputs[k]
                r.remaining -= 1
                if r.remaining == 0, let c = r.continuation {
                    r.continuation = nil
                    finished.append((c, .success(r.results.map { $0! })))
                    remove(r)
                }
            }
        case .failure(let error):
            // The whole request fails: drop its other sentences too.
            for item in batch {
                let r = item.request
                guard let c = r.continuation else { continue }
                r.continuation = nil
                let dropped = r.waiting.count
                droppedAfterFailure += dropped
                r.waiting.removeAll()
                remove(r)
                dequeued(r.tenant, dropped)
                finished.append((c, .failure(error)))
            }
            observer?.queueDepth(queued)
        }
        for item in batch { forgetIfIdle(item.request.tenant) }
        // A light tenant may have become eligible for the express lane.
        condition.broadcast()
        condition.unlock()
        for (tenant, s) in perTenant { observer?.engineTime(tenant: tenant, seconds: s) }
        if droppedAfterFailure > 0 { observer?.sentencesDropped(droppedAfterFailure) }
        if case .success(let outputs) = result {
            observer?.batchRan(sentences: batch.count, sourceTokens: batch.reduce(0) { $0 + $1.ids.count },
                               outputTokens: outputs.reduce(0) { $0 + tokens($1) }, seconds: seconds)
        }
        for (c, r) in finished { c.resume(with: r) }
    }

    /// Takes a finished or failed request off its tenant's list. Called with the lock held.
    private func remove(_ r: Request) {
        if let i = r.tenant.requests.firstIndex(where: { $0 === r }) { r.tenant.requests.remove(at: i) }
    }
}
