import Foundation

/// Reader of `jieba-dict.bin`, written by `Tools/jieba-dict/compile_jieba_dict.py`.
///
/// Layout, all little-endian. Header (64 bytes): magic `JIEBADIC`, u32 version (1), u32 header size (64),
/// u32 node count, u32 alphabet size, u32 distinct-frequency count, u32 word count, u32 source line count,
/// u32 CRC-32 of the payload, u64 total, f64 log(total), u64 reserved.
/// Payload: f64 log(freq)[F], u32 freq[F], u32 alphabet code points[A], then per trie node (breadth-first,
/// children sorted by label) u16 label[N], u16 frequency index[N], u16 child count[N].
extension JiebaDictionary {
    static let fileMagic = Array("JIEBADIC".utf8)
    static let fileVersion: UInt32 = 1
    static let fileHeaderSize = 64

    /// Loads a compiled dictionary file (one memory-mapped read, then a few array copies).
    public init(contentsOf url: URL) throws {
        self = try JiebaBinaryReader.withContents(of: url) { try JiebaDictionary(compiled: $0, source: url.path) }
    }

    /// Parses the bytes of a compiled dictionary; `source` names it in errors.
    public init(compiled bytes: UnsafeRawBufferPointer, source: String) throws {
        var r = JiebaBinaryReader(bytes, path: source)
        let magic = try r.bytes(8, what: "magic")
        guard Array(magic) == Self.fileMagic else { throw r.corrupt("not a compiled jieba dictionary (bad magic)") }
        let version = try r.integer(UInt32.self, what: "version")
        guard version == Self.fileVersion else { throw r.corrupt("format version \(version), expected 1") }
        let headerSize = try r.integer(UInt32.self, what: "header size")
        guard headerSize == Self.fileHeaderSize else { throw r.corrupt("header size \(headerSize), expected 64") }
        let nodes = Int(try r.integer(UInt32.self, what: "node count"))
        let alphabetCount = Int(try r.integer(UInt32.self, what: "alphabet size"))
        let frequencyCount = Int(try r.integer(UInt32.self, what: "frequency count"))
        let words = Int(try r.integer(UInt32.self, what: "word count"))
        let lines = Int(try r.integer(UInt32.self, what: "line count"))
        let crc = try r.integer(UInt32.self, what: "checksum")
        let total = try r.integer(UInt64.self, what: "total")
        let logTotal = try r.double(what: "log(total)")
        _ = try r.integer(UInt64.self, what: "reserved")

        let payloadSize = 12 * frequencyCount + 4 * alphabetCount + 6 * nodes
        guard r.remaining == payloadSize else {
            throw r.corrupt("payload is \(r.remaining) bytes, the header announces \(payloadSize)")
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[r.offset...])
        guard JiebaCRC32.checksum(payload) == crc else { throw r.corrupt("checksum mismatch") }

        let logs = try r.doubles(count: frequencyCount, what: "log frequencies")
        let freqs = try r.integers(UInt32.self, count: frequencyCount, what: "frequencies")
        let alphabet = try r.integers(UInt32.self, count: alphabetCount, what: "alphabet")
        let labels = try r.integers(UInt16.self, count: nodes, what: "labels")
        let index = try r.integers(UInt16.self, count: nodes, what: "frequency indexes")
        let counts = try r.integers(UInt16.self, count: nodes, what: "child counts")
        try self.init(alphabet: alphabet, labels: labels, frequencyIndex: index, childCounts: counts,
                      frequencies: freqs, logFrequencies: logs, total: total, logTotal: logTotal,
                      wordCount: words, lineCount: lines, source: source)
    }
}
