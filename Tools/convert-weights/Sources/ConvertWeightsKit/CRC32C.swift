/// CRC-32C (Castagnoli), as used by LevelDB/TensorFlow, with slicing-by-8 tables.
public enum CRC32C {
    private static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for s in 1..<8 { t[s][i] = (t[s - 1][i] >> 8) ^ t[0][Int(t[s - 1][i] & 0xff)] }
        }
        return t
    }()

    /// Extends `crc` (0 to start) over `count` bytes at `p`.
    public static func update(_ crc: UInt32, _ p: UnsafeRawPointer, count: Int) -> UInt32 {
        let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
        let t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7]
        var c = ~crc
        var i = 0
        return t0.withUnsafeBufferPointer { t0 in
            while i + 8 <= count {
                let lo = p.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
                let hi = p.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                c = t7[Int(lo & 0xff)] ^ t6[Int((lo >> 8) & 0xff)] ^ t5[Int((lo >> 16) & 0xff)] ^ t4[Int(lo >> 24)]
                    ^ t3[Int(hi & 0xff)] ^ t2[Int((hi >> 8) & 0xff)] ^ t1[Int((hi >> 16) & 0xff)] ^ t0[Int(hi >> 24)]
                i += 8
            }
            while i < count {
                c = t0[Int((c ^ UInt32(p.load(fromByteOffset: i, as: UInt8.self))) & 0xff)] ^ (c >> 8)
                i += 1
            }
            return ~c
        }
    }

    /// CRC-32C of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0.baseAddress!, count: $0.count) }
    }

    /// LevelDB's masking, applied to CRCs stored next to the data they cover.
    public static func mask(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8 }
}
