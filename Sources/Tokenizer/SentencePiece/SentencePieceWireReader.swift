/// A minimal reader of the protobuf wire format, enough to parse a SentencePiece `ModelProto` by hand.
///
/// Every read is bounds-checked; malformed or truncated input throws `SentencePieceError.malformedProtobuf`.
struct SentencePieceWireReader {
    /// Protobuf wire types.
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    /// A field key: field number and wire type.
    struct Key {
        let field: Int
        let wireType: WireType
    }

    private let bytes: [UInt8]
    private let end: Int
    /// The current read position (absolute index into the buffer given to `init`).
    private(set) var offset: Int

    /// Reads `bytes[range]` (the whole buffer by default).
    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.offset = r.lowerBound
        self.end = r.upperBound
    }

    /// Whether every byte of the message has been read.
    var isAtEnd: Bool { offset >= end }

    private func fail(_ reason: String) -> SentencePieceError {
        .malformedProtobuf(reason: reason, offset: offset)
    }

    /// Reads a base-128 varint (at most 10 bytes).
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw fail("truncated varint") }
            let byte = bytes[offset]
            offset += 1
            if shift == 63, byte > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes") }
        }
    }

    /// Reads the next field key, or returns nil at the end of the message.
    mutating func readKey() throws -> Key? {
        guard !isAtEnd else { return nil }
        let raw = try readVarint()
        guard let wireType = WireType(rawValue: UInt8(raw & 7)) else {
            throw fail("unknown wire type \(raw & 7)")
        }
        let field = raw >> 3
        guard field >= 1, field <= 0x1FFF_FFFF else { throw fail("invalid field number \(field)") }
        return Key(field: Int(field), wireType: wireType)
    }

    /// Reads a little-endian 32-bit value.
    mutating func readFixed32() throws -> UInt32 {
        guard end - offset >= 4 else { throw fail("truncated fixed32") }
        var value: UInt32 = 0
        for k in 0..<4 { value |= UInt32(bytes[offset + k]) << (8 * UInt32(k)) }
        offset += 4
        return value
    }

    /// Reads the length prefix of a length-delimited field and returns the range of its payload.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - offset) else { throw fail("length-delimited field runs past the end") }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    /// Reads a length-delimited payload as raw bytes.
    mutating func readBytes() throws -> [UInt8] {
        Array(bytes[try readLengthDelimited()])
    }

    /// Reads a field of the expected wire type, throwing if the wire type differs.
    func expect(_ key: Key, _ wireType: WireType, _ name: String) throws {
        guard key.wireType == wireType else {
            throw fail("field \(name) (\(key.field)) has wire type \(key.wireType.rawValue), expected \(wireType.rawValue)")
        }
    }

    /// Reads a varint field as an int32 (negative values are sign-extended 10-byte varints).
    mutating func readInt32(_ key: Key, _ name: String) throws -> Int32 {
        try expect(key, .varint, name)
        return Int32(truncatingIfNeeded: try readVarint())
    }

    /// Reads a varint field as a bool.
    mutating func readBool(_ key: Key, _ name: String) throws -> Bool {
        try expect(key, .varint, name)
        return try readVarint() != 0
    }

    /// Reads a fixed32 field as a float.
    mutating func readFloat(_ key: Key, _ name: String) throws -> Float {
        try expect(key, .fixed32, name)
        return Float(bitPattern: try readFixed32())
    }

    /// Reads a length-delimited field as raw bytes.
    mutating func readBytes(_ key: Key, _ name: String) throws -> [UInt8] {
        try expect(key, .lengthDelimited, name)
        return try readBytes()
    }

    /// Reads a length-delimited field and returns a reader over the embedded message.
    mutating func readMessage(_ key: Key, _ name: String) throws -> SentencePieceWireReader {
        try expect(key, .lengthDelimited, name)
        return SentencePieceWireReader(bytes, range: try readLengthDelimited())
    }

    /// Skips the value of a field that this reader does not interpret.
    mutating func skip(_ key: Key, depth: Int = 0) throws {
        switch key.wireType {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end - offset >= 8 else { throw fail("truncated fixed64") }
            offset += 8
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup:
            guard depth < 64 else { throw fail("groups nested too deeply") }
            while true {
                guard let inner = try readKey() else { throw fail("unterminated group") }
                if inner.wireType == .endGroup {
                    guard inner.field == key.field else { throw fail("mismatched end of group") }
                    return
                }
                try skip(inner, depth: depth + 1)
            }
        case .endGroup: throw fail("unexpected end of group")
        }
    }
}
