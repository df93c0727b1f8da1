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
    /// Most sentences waiting; beyond it requests are refused with 503.
    public var maxQueued = 1_024
    /// Engine calls running at once (each on its own thread).
    public var workers = 1
    public init() {}
}

/// What the scheduler reports (metrics).
public protocol SchedulerObserver: Sendable {
    func queueDepth(_ sentences: Int)
    func batchRan(sentences: Int, sourceTokens: Int, outputTokens: Int, seconds: Double)
    func sentencesDropped(_ count: Int)
}

/// Merges the sentences of concurrent requests into engine batches.
///
/// Each request's sentences wait in its own queue. A worker thread takes the request next in round-robin order,
/// uses its oldest sentence's length bucket, and fills the batch with one sentence per request per round from every
/// request with sentences in that bucket, up to `maxSentences` and `maxTokens`. So a request of 500 sentences gets
/// the same share of each batch as a request of one: it cannot starve small ones. Workers are dedicated threads:
/// engine calls block for tens of milliseconds and must not occupy Swift's cooperative pool or a NIO event loop.
/// A cancelled request (client gone, deadline passed) has its waiting sentences removed at once.
public final class BatchScheduler<Output: Sendable>: @unchecked Sendable {
    public typealias Run = @Sendable ([[Int32]]) throws -> [Output]
    public let options: BatchingOptions
    private let run: Run
    private let tokens: @Sendable (Output) -> Int
    private let observer: SchedulerObserver?
    private let condition = NSCondition()
    private var requests: [Request] = []     // arrival order; the cursor walks it round-robin
    private var cursor = 0
    private var queued = 0
    private var nextID = 0
    private var stopped = false
    private var averageSecondsPerBatch = 0.2

    final class Request {
        let id: Int
        var waiting: [(index: Int, ids: [Int32])]
        var results: [Output?]
        var remaining: Int
        var continuation: CheckedContinuation<[Output], Error>?
        init(id: Int, sentences: [[Int32]], continuation: CheckedContinuation<[Output], Error>) {
            self.id = id
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
        for i in 0..<max(1, options.workers) {
            let t = Thread { [weak self] in self?.workerLoop() }
            t.name = "csanmt-engine-\(i)"
            t.stackSize = 8 << 20
            t.start()
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

    /// Sentences waiting now.
    public var queuedSentences: Int {
        condition.lock()
        defer { condition.unlock() }
        return queued
    }

    /// Translates `sentences` (one output each, same order). Throws ``TranslationError/busy(retryAfterSeconds:)``
    /// when the queue cannot take them, and `CancellationError` when the calling task is cancelled first.
    public func submit(_ sentences: [[Int32]]) async throws -> [Output] {
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
                guard queued + sentences.count <= options.maxQueued || queued == 0 else {
                    // Rough time to drain the queue: batches ahead of us × the recent batch time.
                    let batches = Double(queued) / Double(max(1, options.enabled ? options.maxSentences : 1))
                    let wait = Int((batches * averageSecondsPerBatch / Double(max(1, options.workers))).rounded(.up))
                    continuation.resume(throwing: TranslationError.busy(retryAfterSeconds: max(1, min(wait, 60))))
                    return
                }
                requests.append(Request(id: id, sentences: sentences, continuation: continuation))
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
        guard let i = requests.firstIndex(where: { $0.id == id }) else { condition.unlock(); return }
        let r = requests[i]
        let dropped = r.waiting.count
        queued -= dropped
        r.waiting.removeAll()
        let continuation = r.continuation
        r.continuation = nil
        removeRequest(at: i)
        observer?.queueDepth(queued)
        condition.unlock()
        if dropped > 0 { observer?.sentencesDropped(dropped) }
        continuation?.resume(throwing: CancellationError())
    }

    private func removeRequest(at i: Int) {
        requests.remove(at: i)
        if cursor > i { cursor -= 1 }
        if cursor >= requests.count { cursor = 0 }
    }

    // MARK: Workers

    private func workerLoop() {
        while let batch = nextBatch() {
            if batch.isEmpty { continue }
            let start = ContinuousClock.now
            let result = Result { () throws -> [Output] in
                let outputs = try run(batch.map(\.ids))
                guard outputs.count == batch.count else {
                    throw TranslationError.failed("the engine returned \(outputs.count) results for \(batch.count) sentences")
                }
                return outputs
            }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            complete(batch, result, seconds: seconds)
        }
    }

    typealias Item = (request: Request, index: Int, ids: [Int32])

    /// Blocks until there is work; nil when stopped.
    private func nextBatch() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while queued == 0 {
            if stopped { return nil }
            condition.wait()
        }
        // Give concurrent requests a moment to arrive, unless a full batch is already waiting.
        if options.enabled && queued < options.maxSentences {
            let deadline = Date().addingTimeInterval(Double(options.window.components.attoseconds) / 1e18
                                                     + Double(options.window.components.seconds))
            while queued < options.maxSentences && Date() < deadline && !stopped {
                _ = condition.wait(until: deadline)
            }
            if queued == 0 { return stopped ? nil : []  }
        }
        let batch = takeBatch()
        queued -= batch.count
        observer?.queueDepth(queued)
        return batch
    }

    /// Round-robin over requests, one sentence per request per round, all from the first pick's length bucket.
    private func takeBatch() -> [Item] {
        guard !requests.isEmpty else { return [] }
        if cursor >= requests.count { cursor = 0 }
        var order = Array(requests[cursor...]) + Array(requests[..<cursor])
        order.removeAll { $0.waiting.isEmpty }
        guard let first = order.first, let head = first.waiting.first else { return [] }
        let bucket = Self.bucket(head.ids.count)
        let limit = options.enabled ? options.maxSentences : 1
        var batch: [Item] = []
        var longest = 0
        var progress = true
        while batch.count < limit && progress {
            progress = false
            for r in order where batch.count < limit {
                guard let k = r.waiting.firstIndex(where: { Self.bucket($0.ids.count) == bucket }) else { continue }
                let candidate = r.waiting[k]
                let newLongest = max(longest, candidate.ids.count + 1)
                if !batch.isEmpty && (batch.count + 1) * newLongest > options.maxTokens { continue }
                r.waiting.remove(at: k)
                batch.append((r, candidate.index, candidate.ids))
                longest = newLongest
                progress = true
            }
        }
        // The next batch starts with the request after this one's first pick.
        if let i = requests.firstIndex(where: { $0 === first }) { cursor = (i + 1) % requests.count }
        return batch
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

    private func complete(_ batch: [Item], _ result: Result<[Output], Error>, seconds: Double) {
        var finished: [(CheckedContinuation<[Output], Error>, Result<[Output], Error>)] = []
        condition.lock()
        averageSecondsPerBatch = 0.8 * averageSecondsPerBatch + 0.2 * seconds
        switch result {
        case .success(let outputs):
            for (k, item) in batch.enumerated() where item.request.continuation != nil {
                item.request.results[item.index] = outputs[k]
                item.request.remaining -= 1
                if item.request.remaining == 0, let c = item.request.continuation {
                    item.request.continuation = nil
                    finished.append((c, .success(item.request.results.map { $0! })))
                    if let i = requests.firstIndex(where: { $0 === item.request }) { removeRequest(at: i) }
                }
            }
        case .failure(let error):
            // The whole request fails: drop its other sentences too.
            for item in batch {
                guard let c = item.request.continuation else { continue }
                item.request.continuation = nil
                queued -= item.request.waiting.count
                item.request.waiting.removeAll()
                finished.append((c, .failure(error)))
                if let i = requests.firstIndex(where: { $0 === item.request }) { removeRequest(at: i) }
            }
            observer?.queueDepth(queued)
        }
        condition.unlock()
        if case .success(let outputs) = result {
            observer?.batchRan(sentences: batch.count, sourceTokens: batch.reduce(0) { $0 + $1.ids.count },
                               outputTokens: outputs.reduce(0) { $0 + tokens($1) }, seconds: seconds)
        }
        for (c, r) in finished { c.resume(with: r) }
    }
}
