import Dispatch

/// Runs CPU-heavy synchronous work (a whole engine translation in a debug build takes seconds) on a GCD thread
/// instead of a Swift-concurrency thread. The cooperative pool has one thread per core; tests that block it starve
/// the suites running beside them, whose `eventually` polls then time out.
func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
