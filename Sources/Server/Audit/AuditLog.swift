import Foundation
import Translation
#if canImport(Glibc)
import Glibc
#endif

/// Writes audit events as JSON lines to a file (rotated by size) and/or stdout, in a hash chain.
///
/// Requests never wait for the disk: ``write(_:)`` puts the event on a bounded queue and returns; one writer thread
/// encodes and writes. When the queue is full (a stalled stdout pipe, a slow or full disk) the event is dropped
/// and counted (``droppedLines``, the `csanmt_audit_dropped_lines_total` metric), never blocking the request. The
/// file is opened with `O_APPEND`; use one file per replica.
///
/// Each line ends with `"chain"`: the SHA-256 of the previous line's chain followed by this line without its
/// chain. So editing, inserting, removing or reordering a line breaks the chain at that line or the one after it;
/// ``AuditChain/verify(_:)`` (`csanmt audit verify FILE`) names it. The first line a process writes to a file
/// (after start-up or rotation) also carries `"prev"`, the chain value it continues from.
public final class AuditLog: @unchecked Sendable {
    public struct Options: Sendable {
        /// File to append to; nil for none.
        public var path: String?
        /// Also write to stdout.
        public var stdout: Bool
        /// Rotate when the file reaches this many bytes: `audit.log` → `audit.log.1` → … `.N`.
        public var maxBytes: Int
        public var keepFiles: Int
        /// Events waiting for the writer at most; beyond, new events are dropped and counted.
        public var queueCapacity: Int
        /// Where stdout lines go (tests pass a pipe).
        public var stdoutHandle: FileHandle
        /// The cluster's trail in PostgreSQL, which also gets every event (the admin audit view reads it).
        public var central: CentralAuditTrail?
        public init(path: String? = nil, stdout: Bool = false, maxBytes: Int = 50 << 20, keepFiles: Int = 5,
                    queueCapacity: Int = 10_000, stdoutHandle: FileHandle = .standardOutput, central: CentralAuditTrail? = nil) {
            self.central = central
            self.path = path
            self.stdout = stdout
            self.maxBytes = maxBytes
            self.keepFiles = keepFiles
            self.queueCapacity = queueCapacity
            self.stdoutHandle = stdoutHandle
        }
    }

    public let options: Options
    private let condition = NSCondition()
    private var pending: [AuditEvent] = []
    private var writing = false
    private var stopped = false
    private var dropped = 0
    private var onDrop: (@Sendable (Int) -> Void)?
    // Writer-thread state (and `init`).
    private var handle: FileHandle?
    private var size = 0
    private var chain = ""
    private var segmentStart = true
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(ISO8601DateFormatter.audit.string(from: date))
        }
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public init(_ options: Options) throws {
        self.options = options
        // A stdout reader that goes away (a closed pipe) must cost audit lines, not the process: ignore SIGPIPE,
        // so the write fails with EPIPE and the line is counted as dropped.
        if options.stdout { signal(SIGPIPE, SIG_IGN) }
        if let path = options.path { try open(path) }
        // The thread holds the log only while it writes or waits a second, so a log nobody uses is freed.
        startDedicatedThread(name: "csanmt-audit") { [weak self] in
            while let log = self, log.writeOnce() {}
        }
    }

    deinit {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Lines dropped so far because the queue was full or a write failed.
    public var droppedLines: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }

    /// Called with the number of lines dropped each time some are (the server counts them in its metrics).
    public func onDroppedLines(_ body: @escaping @Sendable (Int) -> Void) {
        condition.lock()
        onDrop = body
        condition.unlock()
    }

    /// Queues one event and returns at once. Never blocks on I/O; a full queue drops the event and counts it.
    public func write(_ event: AuditEvent) {
        options.central?.enqueue(event)
        guard options.path != nil || options.stdout else { return }
        condition.lock()
        guard pending.count < options.queueCapacity else {
            dropped += 1
            let observer = onDrop
            condition.unlock()
            observer?(1)
            return
        }
        pending.append(event)
        condition.signal()
        condition.unlock()
    }

    /// Waits (up to `timeout` seconds) until every queued event is written, then syncs the file (shutdown, tests).
    public func flush(timeout: Double = 5) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while (!pending.isEmpty || writing) && Date() < deadline { _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.05))) }
        let h = handle
        condition.unlock()
        try? h?.synchronize()
    }

    /// Writes what is queued, waiting up to a second for something; false once stopped.
    private func writeOnce() -> Bool {
        condition.lock()
        if pending.isEmpty && !stopped { _ = condition.wait(until: Date().addingTimeInterval(1)) }
        if pending.isEmpty { condition.unlock(); return !stopped }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        writing = true
        condition.unlock()
        var failed = 0
        for event in batch where !append(event) { failed += 1 }
        condition.lock()
        writing = false
        dropped += failed
        let observer = onDrop
        condition.broadcast()
        condition.unlock()
        if failed > 0 { observer?(failed) }
        return true
    }

    /// Encodes, chains and writes one line; false when it could not be written anywhere it should go.
    private func append(_ event: AuditEvent) -> Bool {
        guard let json = try? encoder.encode(event), json.last == UInt8(ascii: "}") else { return false }
        // Rotate before building the line: the first line of a file states where the chain continues from.
        if let path = options.path, handle != nil, size > 0,
           size + json.count + AuditChain.suffixLength + (segmentStart ? 75 : 0) + 1 > options.maxBytes {
            rotate(path)
        }
        var payload = Data(json.dropLast())
        if segmentStart { payload.append(contentsOf: Array(#","prev":"\#(chain)""#.utf8)) }
        payload.append(UInt8(ascii: "}"))
        let hash = AuditChain.link(previous: chain, payload: payload)
        var line = Data(payload.dropLast())
        line.append(contentsOf: Array(#","chain":"\#(hash)"}"#.utf8))
        line.append(0x0A)
        var ok = true
        if options.stdout {
            do { try options.stdoutHandle.write(contentsOf: line) } catch { ok = false }
        }
        if let path = options.path, handle != nil {
            do {
                try handle?.write(contentsOf: line)
                size += line.count
            } catch {
                FileHandle.standardError.write(Data("audit log \(path): write failed (\(error)); line dropped\n".utf8))
                return false
            }
        }
        chain = hash
        segmentStart = false
        return ok
    }

    /// Opens `path` for appending (`O_APPEND`, mode 0640) and picks up the chain where the file ends.
    private func open(_ path: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        guard fd >= 0 else { throw StoreError.invalid("cannot open audit log \(path): \(String(cString: strerror(errno)))") }
        let h = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        size = Int((try? h.seekToEnd()) ?? 0)
        if let last = AuditChain.lastChain(ofFile: path) { chain = last }
        segmentStart = true
        handle = h
    }

    /// Shifts `path.N-1` → `path.N`, …, `path` → `path.1`, and starts a new file. The chain goes on across files.
    private func rotate(_ path: String) {
        try? handle?.close()
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(options.keepFiles)")
        if options.keepFiles > 1 {
            for i in stride(from: options.keepFiles - 1, through: 1, by: -1) {
                try? fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
            }
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
        size = 0
        handle = nil
        let carried = chain
        do { try open(path) } catch { FileHandle.standardError.write(Data("audit log: \(error)\n".utf8)) }
        chain = carried
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let audit: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}
