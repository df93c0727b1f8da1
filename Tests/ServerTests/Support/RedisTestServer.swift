import Foundation

/// A private `redis-server` on a free loopback port, which tests can kill and restart (Debian's redis-server;
/// `.ci/run` installs it). Tests that need it are skipped, visibly, where it is not installed.
final class RedisTestServer: @unchecked Sendable {
    static let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { binary != nil }

    let port: Int
    /// More `redis-server` arguments, e.g. `["--maxmemory", "2mb"]`.
    let extraArguments: [String]
    private var process: Process?

    init(_ extraArguments: [String] = []) throws {
        port = Int.random(in: 20_000...40_000)
        self.extraArguments = extraArguments
        try start()
    }

    deinit { stop() }

    var url: String { "redis://127.0.0.1:\(port)" }

    func start() throws {
        guard let binary = Self.binary else { throw TestFailure("redis-server is not installed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"] + extraArguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        // Ready when it accepts connections.
        for _ in 0..<100 {
            if Self.canConnect(port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("redis-server on port \(port) did not start")
    }

    /// Kills the server (SIGKILL: a crash, not a clean shutdown; the child may also have inherited a blocked SIGTERM).
    func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        for _ in 0..<200 where p.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        process = nil
    }

    static func canConnect(_ port: Int) -> Bool {
        (try? RawHTTP.connect(port: port)).map { close($0); return true } ?? false
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
