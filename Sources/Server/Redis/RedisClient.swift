import Foundation

/// A small pool of blocking hiredis connections, each used on its own serial queue, so no Redis round trip ever
/// runs on a NIO event loop or a Swift-concurrency thread. Callers `await`; at most `size` commands are in flight and
/// further callers queue in order.
public final class RedisClient: Sendable {
    public let url: RedisURL
    private let connections: [Slot]
    private let gate: Gate

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

    /// - Parameters:
    ///   - size: connections in the pool.
    ///   - timeout: connect and per-command timeout in seconds.
    public init(url: RedisURL, size: Int = 4, timeout: Double = 0.5) {
        self.url = url
        connections = (0..<max(1, size)).map { Slot(RedisConnection(url: url, timeoutSeconds: timeout), $0) }
        gate = Gate(connections.count)
    }

    /// Runs one command. Throws ``RedisError/unavailable(_:)`` when Redis cannot be reached (the next call
    /// reconnects) and ``RedisError/reply(_:)`` for an error reply.
    public func command(_ argv: [String]) async throws -> RedisValue {
        let i = await gate.acquire()
        let slot = connections[i]
        let result: Result<RedisValue, Error> = await withCheckedContinuation { continuation in
            slot.queue.async { continuation.resume(returning: Result { try slot.connection.command(argv) }) }
        }
        await gate.release(i)
        return try result.get()
    }

    /// True when `PING` answers.
    public func ping() async -> Bool {
        (try? await command(["PING"])) == .status("PONG")
    }
}
