import Foundation
@testable import Server
@testable import Translation

/// A gate the test opens and closes; engine "calls" wait at it.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen: Bool
    private var _waiting = 0
    init(open: Bool) { isOpen = open }
    func open() { condition.lock(); isOpen = true; condition.broadcast(); condition.unlock() }
    func close() { condition.lock(); isOpen = false; condition.unlock() }
    func pass() {
        condition.lock()
        _waiting += 1
        while !isOpen { condition.wait() }
        _waiting -= 1
        condition.unlock()
    }
    /// Engine calls blocked at the gate now.
    var waiting: Int { condition.lock(); defer { condition.unlock() }; return _waiting }
}

/// The real ``BatchScheduler`` with a fake engine: each text is one sentence whose ids are its code points, and a
/// batch runs only while the gate is open. Records every batch it ran, so tests see what was merged and what was
/// dropped.
final class GatedTranslator: Translator, @unchecked Sendable {
    let directions = [LanguagePair(source: "zh", target: "en")]
    let description = "gated (tests only)"
    let cacheIdentity = "gated"
    let gate: Gate
    let scheduler: BatchScheduler<String>

    init(options: BatchingOptions = BatchingOptions(), open: Bool = true, observer: SchedulerObserver? = nil) {
        let gate = Gate(open: open)
        self.gate = gate
        let box = BatchLog()
        scheduler = BatchScheduler(options: options, observer: observer) { batch in
            gate.pass()
            let texts = batch.map { ids in String(String.UnicodeScalarView(ids.compactMap { Unicode.Scalar(UInt32($0)) })) }
            box.append(texts)
            return texts.map { "[en] " + $0 }
        }
        log = box
    }
    let log: BatchLog

    var batches: [[String]] { log.all }

    func translate(_ job: TranslationJob) async throws -> [TranslatedText] {
        try await scheduler.submit(job.texts.map { $0.unicodeScalars.map { Int32($0.value) } }, as: job.owner)
            .map { TranslatedText(text: $0) }
    }

    func queuedSentences(tenant: String) -> Int { scheduler.queuedSentences(tenant: tenant) }
    var queuedSentences: Int { scheduler.queuedSentences }
}

final class BatchLog: @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [[String]] = []
    func append(_ b: [String]) { lock.lock(); batches.append(b); lock.unlock() }
    var all: [[String]] { lock.lock(); defer { lock.unlock() }; return batches }
}

/// Polls `condition` every 10 ms for up to `seconds`. These waits check behaviour, not speed: the default is
/// generous because in a debug build the CPU-heavy synchronous suites (engine parity, tokenizer goldens) can hold
/// both of a 2-core machine's Swift-concurrency threads for several seconds at the start of `swift test`, and
/// nothing here runs until they let go. A passing condition returns at once.
func eventually(_ seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
