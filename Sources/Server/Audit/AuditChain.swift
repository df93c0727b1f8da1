import Crypto
import Foundation

/// The audit log's hash chain: each line ends with `,"chain":"<hex>"}`, the SHA-256 of the previous line's chain
/// value followed by the line's payload (the line without that suffix, closed with `}`).
public enum AuditChain {
    /// `,"chain":"` + 64 hex digits + `"}`.
    static let suffixLength = 10 + 64 + 2

    /// The chain value of a line whose payload is `payload`, following `previous`.
    static func link(previous: String, payload: Data) -> String {
        var h = SHA256()
        h.update(data: Data(previous.utf8))
        h.update(data: payload)
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Splits a line into (payload, chain value); nil when it has no chain suffix.
    static func split(_ line: Data) -> (payload: Data, chain: String)? {
        guard line.count > suffixLength else { return nil }
        let suffix = line.suffix(suffixLength)
        guard suffix.starts(with: Array(#","chain":""#.utf8)), suffix.last == UInt8(ascii: "}") else { return nil }
        let hex = String(decoding: suffix.dropFirst(10).prefix(64), as: UTF8.self)
        guard hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        var payload = Data(line.dropLast(suffixLength))
        payload.append(UInt8(ascii: "}"))
        return (payload, hex)
    }

    /// The `prev` a line states (the first line a process wrote to a file), if any.
    static func statedPrevious(_ payload: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else { return nil }
        return object["prev"] as? String
    }

    /// The chain value of the last line in `data`; nil when there is none.
    public static func lastChain(_ data: Data) -> String? {
        guard let last = data.split(separator: 0x0A).last else { return nil }
        return split(Data(last))?.chain
    }

    /// The chain value of the last line of `path` (reads at most its last 64 KiB); nil for an empty or chainless file.
    static func lastChain(ofFile path: String) -> String? {
        // Regular files only (a device such as /dev/full reads forever), and a bounded read.
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
              let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 65_536 ? size - 65_536 : 0)
        let data = (try? h.read(upToCount: 65_536)) ?? Data()
        guard let last = data.split(separator: 0x0A).last else { return nil }
        return split(Data(last))?.chain
    }

    /// What ``verify(_:)`` found.
    public enum Verdict: Equatable, Sendable {
        /// Every line follows from the one before. `start` is the chain value the file continues from ("" from the
        /// beginning of the log).
        case intact(lines: Int, start: String)
        /// Line `line` (1-based) does not follow: it, or the line before it, was edited, inserted, removed or moved.
        case broken(line: Int, reason: String)
    }

    /// Checks a log file line by line. The first line is taken on its own word for where it continues from (its
    /// `prev`); every later line must follow from the line before it, and a later `prev` (a restart) must name it.
    public static func verify(_ data: Data) -> Verdict {
        var previous: String?
        var start = ""
        var count = 0
        for (i, raw) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if raw.isEmpty && i > 0 { continue }   // the final newline
            let number = i + 1
            guard let (payload, hash) = split(Data(raw)) else {
                return .broken(line: number, reason: "no chain value: not a line this server wrote, or a cut line")
            }
            let stated = statedPrevious(payload)
            if let stated, let previous, stated != previous {
                return .broken(line: number, reason: "it says it follows \(stated.prefix(12))…, but the line before ends \(previous.prefix(12))…")
            }
            let base = previous ?? stated ?? ""
            if previous == nil { start = base }
            guard link(previous: base, payload: payload) == hash else {
                return .broken(line: number, reason: previous == nil
                    ? "its hash does not match its content: it was edited"
                    : "its hash does not match: it was edited or inserted, or the line before it was removed or moved")
            }
            previous = hash
            count += 1
        }
        return .intact(lines: count, start: start)
    }
}
