import Foundation

/// Writes audit events as JSON lines to a file (rotated by size) and/or stdout. Thread-safe.
public final class AuditLog: @unchecked Sendable {
    public struct Options: Sendable {
        /// File to append to; nil for none.
        public var path: String?
        /// Also write to stdout.
        public var stdout: Bool
        /// Rotate when the file reaches this many bytes: `audit.log` → `audit.log.1` → … `.N`.
        public var maxBytes: Int
        public var keepFiles: Int
        public init(path: String? = nil, stdout: Bool = false, maxBytes: Int = 50 << 20, keepFiles: Int = 5) {
            self.path = path
            self.stdout = stdout
            self.maxBytes = maxBytes
            self.keepFiles = keepFiles
        }
    }

    public let options: Options
    private let lock = NSLock()
    private var handle: FileHandle?
    private var size = 0
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
        if let path = options.path { try open(path) }
    }

    private func open(_ path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]) else {
                throw StoreError.invalid("cannot create audit log \(path)")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw StoreError.invalid("cannot open audit log \(path)") }
        size = Int(h.seekToEndOfFile())
        handle = h
    }

    /// Appends one event. I/O errors are reported on stderr, never thrown into the request path.
    public func write(_ event: AuditEvent) {
        lock.lock()
        defer { lock.unlock() }
        guard var line = try? encoder.encode(event) else { return }   // under the lock: the formatter is shared
        line.append(0x0A)
        if options.stdout { try? FileHandle.standardOutput.write(contentsOf: line) }
        guard let path = options.path, handle != nil else { return }
        if size + line.count > options.maxBytes && size > 0 { rotate(path) }
        do {
            try handle?.write(contentsOf: line)
            size += line.count
        } catch {
            FileHandle.standardError.write(Data("audit log \(path): write failed (\(error)); line dropped\n".utf8))
        }
    }

    /// Shifts `path.N-1` → `path.N`, …, `path` → `path.1`, and starts a new file. Called with the lock held.
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
        do { try open(path) } catch { FileHandle.standardError.write(Data("audit log: \(error)\n".utf8)) }
    }

    /// Flushes to disk (on shutdown).
    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        try? handle?.synchronize()
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let audit: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}
