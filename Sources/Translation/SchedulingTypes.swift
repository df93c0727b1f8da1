import Foundation

/// Settings of the cross-request batcher.
public struct BatchingOptions: Sendable, Equatable {
    /// Merge sentences of concurrent requests into one engine call. Off: one sentence per call.
    public var enabled = true
    /// How long a worker waits for more sentences before running a batch that is not full.
    public var window: Duration = .milliseconds(5)
    /// Most sentences per engine call.
    public var maxSentences = 32
    /// Most source tokens per engine call (sentences × longest sentence, padding included).
    public var maxTokens = 2_048
    /// Most sentences waiting, all tenants together; beyond it requests are refused with 503 `busy`.
    public var maxQueued = 1_024
    /// Engine calls running at once (each on its own thread).
    public var workers = 1
    /// Extra workers that serve only light tenants: tenants with nothing running and at most
    /// `expressMaxSentences` waiting. They keep an interactive tenant's latency near its idle latency while
    /// heavy tenants keep the regular workers busy (the operating system shares the cores between them).
    public var expressWorkers = 1
    public var expressMaxSentences = 4
    /// An express batch is topped up to this many sentences with other tenants' sentences of the same length
    /// bucket: a few more rows cost the engine little (the weights are read once per step for all rows), so the
    /// express lane does heavy tenants' work almost for free while serving a light one.
    public var expressBatchSentences = 2
    /// Nice value of the regular workers while an express lane exists (Linux: per thread). Batch work yields the
    /// cores to the express lane, the HTTP threads and tokenisation when they need them, and still gets every
    /// cycle nobody else wants. Lowering one's own priority needs no privilege.
    public var regularWorkerNice: Int32 = 10
    /// Deficit round-robin quantum: source tokens a tenant of weight 1 may add to batches per turn.
    public var quantumTokens = 32
    public init() {}
}

/// What one request asks of the scheduler: whose it is and what share it may have.
public struct SchedulingClass: Sendable, Equatable {
    /// The tenant; the unit of fairness.
    public var tenant: String
    /// Share under contention (≥ 1).
    public var weight: Int
    /// Most sentences this tenant may have waiting (nil = only the global bound).
    public var maxQueued: Int?
    public init(tenant: String, weight: Int = 1, maxQueued: Int? = nil) {
        self.tenant = tenant
        self.weight = weight
        self.maxQueued = maxQueued
    }
}

/// What the scheduler reports (metrics and metering).
public protocol SchedulerObserver: Sendable {
    func queueDepth(_ sentences: Int)
    func batchRan(sentences: Int, sourceTokens: Int, outputTokens: Int, seconds: Double)
    func sentencesDropped(_ count: Int)
    /// Engine time spent on `tenant`'s sentences (a batch's time split by source tokens), whether or not the
    /// request is still waiting for them.
    func engineTime(tenant: String, seconds: Double)
    /// How long a request waited for its first sentence to enter a batch.
    func queueWait(tenant: String, seconds: Double)
    /// Chunks whose decoding ran out of steps before `</s>` (their texts are flagged as truncated).
    func truncated(chunks: Int)
}

extension SchedulerObserver {
    public func truncated(chunks: Int) {}
}
