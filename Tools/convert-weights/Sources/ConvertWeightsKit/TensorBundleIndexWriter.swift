/// Writes the SSTable container of a TF tensor-bundle `.index` file, the inverse of ``TensorBundleIndex``'s block
/// and footer parsing: one uncompressed data block with the given (key, value) pairs in order, an empty metaindex
/// block, an index block pointing at the data block, and the 48-byte footer, every block with its crc32c trailer.
/// The values are written as given (BundleHeaderProto / BundleEntryProto bytes, or damage), so tests and the
/// fuzzer (Tools/fuzz/fuzz-tf-bundle) can reach the entry decoding past the checksums.
public enum TensorBundleIndexWriter {
    /// The `.index` file's bytes. The index block's key is the last data key (any key ≥ it would do).
    public static func encode(entries: [(key: [UInt8], value: [UInt8])]) -> [UInt8] {
        var file: [UInt8] = []
        func block(_ pairs: [(key: [UInt8], value: [UInt8])]) -> (offset: Int, size: Int) {
            var b: [UInt8] = []
            for (k, v) in pairs { b += varint(0) + varint(UInt64(k.count)) + varint(UInt64(v.count)) + k + v }
            b += [0, 0, 0, 0] + [1, 0, 0, 0]   // restarts = [0], n_restarts = 1
            let offset = file.count
            file += b + [0]                     // compression type 0: none
            let crc = CRC32C.mask(CRC32C.checksum(b + [0]))
            file += withUnsafeBytes(of: crc.littleEndian, Array.init)
            return (offset, b.count)
        }
        let data = block(entries)
        let meta = block([])
        let index = block([(entries.last?.key ?? [], varint(UInt64(data.offset)) + varint(UInt64(data.size)))])
        var footer = varint(UInt64(meta.offset)) + varint(UInt64(meta.size)) + varint(UInt64(index.offset)) + varint(UInt64(index.size))
        footer += [UInt8](repeating: 0, count: 40 - footer.count)
        footer += withUnsafeBytes(of: TensorBundleIndex.magic.littleEndian, Array.init)
        return file + footer
    }

    /// A protobuf base-128 varint.
    public static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7f)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }
}
