import Foundation

/// A fixed set of threads for CPU-bound work that must stay off Swift's cooperative pool and NIO's event loops
/// (tokenisation: jieba/Moses + BPE). Jobs wait in arrival order; `run` suspends the caller, not a thread.
public final class BlockingPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopped = false
    public let threads: Int
    public let name: String
    private static let poolKey = "csanmt.blocking-pool"

    /// The name of the pool whose thread runs the caller; nil elsewhere (tests check where work ran).
    public static var currentPoolName: String? { Thread.current.threadDictionary[poolKey] as? String }

    /// Starts `threads` threads named `name-0`, `name-1`, …, at nice value `nice` (Linux; 0 = unchanged).
    public init(threads: Int, name: String, nice: Int32 = 0) {
        self.threads = max(1, threads)
        self.name = name
        for i in 0..<self.threads {
            startDedicatedThread(name: "\(name)-\(i)") { [weak self] in
                if nice != 0 { lowerThreadPriority(nice) }
                self?.loop()
            }
        }
    }

    deinit { shutdown() }

    /// Lets the threads end once the queue is empty.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` on one of the pool's threads and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            jobs.append { continuation.resume(with: Result { try body() }) }
            condition.signal()
            condition.unlock()
        }
    }

    private func loop() {
        Thread.current.threadDictionary[Self.poolKey] = name
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// Sets the calling thread's nice value (Linux applies `setpriority(PRIO_PROCESS, 0, …)` to the calling thread
/// only). Best effort: elsewhere, or on failure, the thread keeps its priority. Lowering needs no privilege.
func lowerThreadPriority(_ nice: Int32) {
    #if os(Linux)
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
    #endif
}

/// Starts a named thread with an 8 MiB stack (engine calls and tokenisation recurse deeper than the default allows).
public func startDedicatedThread(name: String, _ body: @escaping @Sendable () -> Void) {
    let t = Thread(block: body)
    t.name = name
    t.stackSize = 8 << 20
    t.start()
}
