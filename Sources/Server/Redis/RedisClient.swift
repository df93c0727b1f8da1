import Foundation

/// A small pool of blocking hiredis connections, each used on its own serial queue, so no Redis round trip ever
/// runs on a NIO event loop or a Swift-concurrency thread. Callers `await`; at most `size` commands are in flight and
/// further callers queue in order.
public final class RedisClient: Sendable {
    public let url: RedisURL
    private let connections: [Slot]
    private let gate: Gate
    private let breaker: Breaker

    final class Slot: Sendable {
        let connection: RedisConnection
        let queue: DispatchQueue
        init(_ c: RedisConnection, _ i: Int) {
            connection = c
            queue = DispatchQueue(label: "csanmt.redis.\(i)")
        }
    }

    /// Hands out free slot indices; waiters are resumed first come, first served.
    actor Gate {
        private var free: [Int]
        private var waiters: [CheckedContinuation<Int, Never>] = []
        init(_ n: Int) { free = Array(0..<n) }
        func acquire() async -> Int {
            if let i = free.popLast() { return i }
            return await withCheckedContinuation { waiters.append($0) }
        }
        func release(_ i: Int) {
            if waiters.isEmpty { free.append(i) } else { waiters.removeFirst().resume(returning: i) }
        }
    }

    /// After a connection failure, calls fail at once for `retryInterval` seconds; then one caller at a time probes.
    /// So an unreachable Redis costs each request nothing instead of a timeout, and requests don't pile up.
    final class Breaker: @unchecked Sendable {
        private let lock = NSLock()
        private var openedAt: Date?
        private var probing = false
        private var failures = 0
        let retryInterval: TimeInterval
        init(_ retryInterval: TimeInterval) { self.retryInterval = retryInterval }

        /// Whether this call may go to Redis.
        func admit() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard let openedAt else { return true }
            guard !probing, Date().timeIntervalSince(openedAt) >= retryInterval else { return false }
            probing = true
            return true
        }
        func record(success: Bool) {
            lock.lock()
            if success { openedAt = nil } else { openedAt = Date(); failures += 1 }
            probing = false
            lock.unlock()
        }
        /// Connection failures so far.
        var generation: Int { lock.lock(); defer { lock.unlock() }; return failures }
        /// Whether a failure opened it and no call has succeeded since.
        var isOpen: Bool { lock.lock(); defer { lock.unlock() }; return openedAt != nil }
    }

    /// - Parameters:
    ///   - size: connections in the pool.
    ///   - timeout: connect and per-command timeout in seconds.
    ///   - retryInterval: how long calls fail fast after a connection failure before one probes again.
    public init(url: RedisURL, size: Int = 4, timeout: Double = 0.5, retryInterval: TimeInterval = 1) {
        self.url = url
        connections = (0..<max(1, size)).map { Slot(RedisConnection(url: url, timeoutSeconds: timeout), $0) }
        gate = Gate(connections.count)
        breaker = Breaker(retryInterval)
    }

    /// Runs one command. Throws ``RedisError/unavailable(_:)`` when Redis cannot be reached (the next call after the
    /// retry interval reconnects) and ``RedisError/reply(_:)`` for an error reply.
    public func command(_ argv: [String]) async throws -> RedisValue {
        guard breaker.admit() else { throw RedisError.unavailable("\(url) failed recently; retrying shortly") }
        let before = breaker.generation
        let i = await gate.acquire()
        // Checked again: while this call waited for a connection, another one may have found Redis down. Then this
        // one fails at once too, instead of paying its own timeout (and every call queued behind it, one by one).
        let generation = breaker.generation   // as of now: a connection older than the last failure reconnects
        if generation != before && breaker.isOpen {
            await gate.release(i)
            throw RedisError.unavailable("\(url) failed while this call waited for a connection; retrying shortly")
        }
        let slot = connections[i]
        let result: Result<RedisValue, Error> = await withCheckedContinuation { continuation in
            slot.queue.async { continuation.resume(returning: Result { try slot.connection.command(argv, generation: generation) }) }
        }
        await gate.release(i)
        if case .failure(RedisError.unavailable) = result { breaker.record(success: false) } else { breaker.record(success: true) }
        return try result.get()
    }

    /// True when `PING` answers.
    public func ping() async -> Bool {
        (try? await command(["PING"])) == .status("PONG")
    }
}
