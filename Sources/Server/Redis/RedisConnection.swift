import CHiredis
import Foundation

/// Why a Redis call failed. `.unavailable` means the connection is unusable (refused, timed out, dropped).
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    case unavailable(String)
    case reply(String)

    public var description: String {
        switch self {
        case .unavailable(let m): return "Redis unavailable: \(m)"
        case .reply(let m): return "Redis error: \(m)"
        }
    }
}

/// One blocking hiredis connection. Not thread-safe: ``RedisClient`` lends it to one caller at a time, on its
/// own thread, never on an event loop. Connects lazily and reconnects after any I/O error.
final class RedisConnection: @unchecked Sendable {
    private var context: UnsafeMutablePointer<redisContext>?
    /// The pool's failure count when this connection was made; a later failure elsewhere means it may be stale.
    private var generation = 0
    private let url: RedisURL
    private let timeout: timeval

    init(url: RedisURL, timeoutSeconds: Double) {
        self.url = url
        let micros = Int(timeoutSeconds * 1_000_000)
        timeout = timeval(tv_sec: micros / 1_000_000, tv_usec: .init(micros % 1_000_000))
    }

    deinit { if let context { redisFree(context) } }

    /// Runs one command (binary-safe argv; no format strings, so no injection). `generation` is the pool's failure
    /// count: a connection made before the latest failure is replaced first (after a Redis restart every old
    /// connection is dead, and each would otherwise fail once).
    func command(_ argv: [String], generation current: Int = 0) throws -> RedisValue {
        if context != nil && generation < current { drop() }
        if context == nil { generation = current }
        let ctx = try connected()
        let reply = Self.send(ctx, argv)
        guard let reply else {
            let message = ctx.pointee.err != 0 ? Self.errorText(ctx) : "no reply"
            drop()
            throw RedisError.unavailable(message)
        }
        defer { freeReplyObject(reply) }
        let value = RedisValue(reply.assumingMemoryBound(to: redisReply.self))
        if case .error(let m) = value { throw RedisError.reply(m) }
        return value
    }

    private func connected() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        guard let ctx = redisConnectWithTimeout(url.host, Int32(url.port), timeout) else {
            throw RedisError.unavailable("cannot allocate a connection")
        }
        if ctx.pointee.err != 0 {
            let message = Self.errorText(ctx)
            redisFree(ctx)
            throw RedisError.unavailable("\(url): \(message)")
        }
        redisSetTimeout(ctx, timeout)   // every command is bounded too: a hung Redis cannot hang a request
        context = ctx
        do {
            if let password = url.password {
                _ = try command(url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if url.database != 0 { _ = try command(["SELECT", String(url.database)]) }
        } catch {
            drop()
            throw error
        }
        return ctx
    }

    private func drop() {
        if let context { redisFree(context) }
        context = nil
    }

    private static func send(_ ctx: UnsafeMutablePointer<redisContext>, _ argv: [String]) -> UnsafeMutableRawPointer? {
        let bytes = argv.map { Array($0.utf8) }
        let lengths = bytes.map(\.count)
        let copies: [UnsafeMutablePointer<CChar>] = bytes.map { b in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(b.count, 1))
            b.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: b.count) }
            }
            return p
        }
        defer { copies.forEach { $0.deallocate() } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeMutableBufferPointer { argvPtr in
            lengths.withUnsafeBufferPointer { lenPtr in
                redisCommandArgv(ctx, Int32(argv.count), argvPtr.baseAddress, lenPtr.baseAddress)
            }
        }
    }

    private static func errorText(_ ctx: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: ctx.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
