import Foundation

/// Runs an operation with a deadline that holds even when the operation ignores cancellation.
///
/// A task group would not do: leaving it waits for every child, so an operation stuck where cancellation does not
/// reach (a connection pool waiting for a server that went away mid-handshake, say) would hold the request past its
/// deadline. Here the caller is answered at the deadline; the operation is cancelled and left to finish on its own.
enum Deadline {
    static func run<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let gate = ResumeOnce<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.set(continuation)
                let work = Task {
                    do { gate.resume(with: .success(try await operation())) } catch { gate.resume(with: .failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    work.cancel()
                    gate.resume(with: .failure(StoreError.unavailable(
                        "the tenant database did not answer within \(timeout.components.seconds) s; retry shortly")))
                }
                gate.onFinish { timer.cancel(); work.cancel() }
            }
        } onCancel: {
            gate.resume(with: .failure(CancellationError()))
        }
    }
}

/// A continuation resumed by whichever comes first: the result, the deadline or the caller's cancellation.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var pending: Result<T, Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?

    func set(_ c: CheckedContinuation<T, Error>) {
        let early: Result<T, Error>? = lock.withLock {
            if let pending { self.pending = nil; return pending }
            continuation = c
            return nil
        }
        if let early { c.resume(with: early) }
    }

    func onFinish(_ body: @escaping @Sendable () -> Void) {
        let finished = lock.withLock { () -> Bool in
            if done { return true }
            cleanup = body
            return false
        }
        if finished { body() }
    }

    func resume(with result: Result<T, Error>) {
        let (c, after): (CheckedContinuation<T, Error>?, (@Sendable () -> Void)?) = lock.withLock {
            guard !done else { return (nil, nil) }
            done = true
            let c = continuation
            continuation = nil
            if c == nil { pending = result }   // cancelled before the continuation was set
            let after = cleanup
            cleanup = nil
            return (c, after)
        }
        c?.resume(with: result)
        after?()
    }
}
