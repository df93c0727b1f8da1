import Foundation

/// Bounds-checked little-endian reader over the bytes of a compiled jieba data file.
struct JiebaBinaryReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    var remaining: Int { bytes.count - offset }

    func corrupt(_ reason: String) -> JiebaError { .corrupt(path: path, reason: reason) }

    /// Reads `count` raw bytes, throwing if the file ends first.
    mutating func bytes(_ count: Int, what: String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw corrupt("truncated: \(what) needs \(count) bytes at offset \(offset), \(remaining) left")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, what: String) throws -> T {
        let raw = try bytes(MemoryLayout<T>.size, what: what)
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    mutating func double(what: String) throws -> Double {
        Double(bitPattern: try integer(UInt64.self, what: what))
    }

    /// Reads `count` little-endian integers with one copy.
    mutating func integers<T: FixedWidthInteger>(_: T.Type, count: Int, what: String) throws -> [T] {
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow else { throw corrupt("\(what): count \(count) out of range") }
        let raw = try bytes(size, what: what)
        var values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
            initialized = count
        }
        #if _endian(big)
        for i in values.indices { values[i] = T(littleEndian: values[i]) }
        #endif
        return values
    }

    /// Reads `count` little-endian IEEE-754 doubles with one copy.
    mutating func doubles(count: Int, what: String) throws -> [Double] {
        let bits = try integers(UInt64.self, count: count, what: what)
        return bits.map { Double(bitPattern: $0) }
    }

    /// Reads the whole of `url` (memory-mapped where the platform allows) and hands its bytes to `body`.
    static func withContents<R>(of url: URL, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: [.alwaysMapped])
        } catch {
            throw JiebaError.unreadable(path: url.path, reason: String(describing: error))
        }
        return try data.withUnsafeBytes(body)
    }
}

/// CRC-32 (IEEE 802.3, the one of Python's `zlib.crc32`), used to detect damaged data files. Slicing-by-8.
enum JiebaCRC32 {
    /// Eight 256-entry tables; table 0 is the classic byte-at-a-time one.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        tables.withUnsafeBufferPointer { t in
            var crc: UInt32 = 0xFFFF_FFFF
            var i = 0
            let count = bytes.count
            while count - i >= 8 {
                let lo = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < count {
                crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
            return crc ^ 0xFFFF_FFFF
        }
    }
}
