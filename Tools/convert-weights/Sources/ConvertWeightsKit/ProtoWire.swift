/// Minimal protobuf wire-format / varint decoding over a byte slice, bounds-checked.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var pos: Int

    init(_ bytes: UnsafeRawBufferPointer, at pos: Int = 0) {
        self.bytes = bytes
        self.pos = pos
    }

    var atEnd: Bool { pos >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard pos < bytes.count else { throw WireError.truncated }
            let b = bytes[pos]
            pos += 1
            guard shift < 64 else { throw WireError.malformed("varint longer than 10 bytes") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func int() throws -> Int {
        let v = try varint()
        guard v <= UInt64(Int.max) else { throw WireError.malformed("value \(v) out of range") }
        return Int(v)
    }

    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        // `n` comes from the file: compared without adding, which could overflow (found by fuzz-tf-bundle).
        guard n >= 0, n <= bytes.count - pos else { throw WireError.truncated }
        defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + n)])
    }

    mutating func fixed32() throws -> UInt32 {
        let b = try take(4)
        return b.loadUnaligned(as: UInt32.self).littleEndian
    }

    /// One protobuf field: number, wire type, and its payload (varint value or byte range).
    enum Field {
        case varint(Int, UInt64)
        case bytes(Int, UnsafeRawBufferPointer)
        case fixed32(Int, UInt32)
        case fixed64(Int, UInt64)
    }

    mutating func field() throws -> Field {
        let tag = try varint()
        let number = Int(tag >> 3)
        switch tag & 7 {
        case 0: return .varint(number, try varint())
        case 1: let b = try take(8); return .fixed64(number, b.loadUnaligned(as: UInt64.self).littleEndian)
        case 2: return .bytes(number, try take(try int()))
        case 5: return .fixed32(number, try fixed32())
        default: throw WireError.malformed("wire type \(tag & 7)")
        }
    }
}

enum WireError: Error, CustomStringConvertible {
    case truncated
    case malformed(String)
    var description: String {
        switch self {
        case .truncated: return "truncated data"
        case .malformed(let m): return "malformed data: \(m)"
        }
    }
}
