import Foundation

/// Runs CPU-heavy synchronous work (a whole engine translation in a debug build takes seconds) on a thread of its
/// own. Not on a Swift-concurrency thread, and not on a GCD global queue either: on Linux both draw from the same
/// pool of one thread per core, and tests that hold those threads for seconds starve the suites running beside
/// them, whose `eventually` polls then time out.
/// (The same helper as Tests/TranslationTests/Support/OffCooperativePool.swift: test targets do not share sources.)
func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
