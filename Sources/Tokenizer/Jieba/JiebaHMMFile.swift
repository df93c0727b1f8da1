import Foundation

/// Reader of `jieba-hmm.bin`, written by `Tools/jieba-dict/compile_jieba_dict.py`.
///
/// Layout, all little-endian. Header (64 bytes): magic `JIEBAHMM`, u32 version (1), u32 header size (64),
/// u32 emission entry counts for B, M, E, S, u32 CRC-32 of the payload, zero padding.
/// Payload: f64 MIN_FLOAT, f64 start[4], f64 trans[4][4] (from-major, BMES order), then per state (BMES):
/// u32 code points[count] (increasing), f64 log-probabilities[count].
extension JiebaHMM {
    static let fileMagic = Array("JIEBAHMM".utf8)
    static let fileHeaderSize = 64

    /// Loads a compiled HMM file.
    public init(contentsOf url: URL) throws {
        self = try JiebaBinaryReader.withContents(of: url) { try JiebaHMM(compiled: $0, source: url.path) }
    }

    /// Parses the bytes of a compiled HMM file; `source` names it in errors.
    public init(compiled bytes: UnsafeRawBufferPointer, source: String) throws {
        var r = JiebaBinaryReader(bytes, path: source)
        guard Array(try r.bytes(8, what: "magic")) == Self.fileMagic else {
            throw r.corrupt("not a compiled jieba HMM (bad magic)")
        }
        let version = try r.integer(UInt32.self, what: "version")
        guard version == 1 else { throw r.corrupt("format version \(version), expected 1") }
        let headerSize = try r.integer(UInt32.self, what: "header size")
        guard headerSize == Self.fileHeaderSize else { throw r.corrupt("header size \(headerSize), expected 64") }
        var counts: [Int] = []
        for state in State.allCases { counts.append(Int(try r.integer(UInt32.self, what: "\(state) count"))) }
        let crc = try r.integer(UInt32.self, what: "checksum")
        _ = try r.bytes(Self.fileHeaderSize - r.offset, what: "header padding")
        let payloadSize = 8 * (1 + 4 + 16) + counts.reduce(0) { $0 + 12 * $1 }
        guard r.remaining == payloadSize else {
            throw r.corrupt("payload is \(r.remaining) bytes, the header announces \(payloadSize)")
        }
        guard JiebaCRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[r.offset...])) == crc else {
            throw r.corrupt("checksum mismatch")
        }
        let minFloat = try r.double(what: "MIN_FLOAT")
        let start = try r.doubles(count: 4, what: "start probabilities")
        let transition = try r.doubles(count: 16, what: "transition probabilities")
        var emission: [[(UInt32, Double)]] = []
        for (state, count) in zip(State.allCases, counts) {
            let cps = try r.integers(UInt32.self, count: count, what: "\(state) emission characters")
            let logs = try r.doubles(count: count, what: "\(state) emission probabilities")
            for i in cps.indices where cps[i] > 0x10FFFF || (i > 0 && cps[i - 1] >= cps[i]) {
                throw r.corrupt("\(state) emission characters are not increasing code points")
            }
            emission.append(Array(zip(cps, logs)))
        }
        guard ([minFloat] + start + transition + emission.flatMap { $0.map(\.1) }).allSatisfy(\.isFinite) else {
            throw r.corrupt("a probability is not finite")
        }
        self.init(minFloat: minFloat, start: start, transition: transition, emission: emission)
    }
}
