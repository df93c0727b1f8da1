import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads float32 tensors out of a TF checkpoint's data shard(s) by name, verifying each tensor's crc32c.
/// Only the tensors asked for are read: the optimizer slots of a training checkpoint are never touched.
public final class TensorBundleReader {
    public let prefix: String
    public let index: TensorBundleIndex
    private var descriptors: [Int: (fd: Int32, size: Int, path: String)] = [:]

    /// Opens `prefix.index` (e.g. `.../tf_ckpts/ckpt-0`).
    public init(prefix: String) throws {
        self.prefix = prefix
        index = try TensorBundleIndex(prefix: prefix)
    }

    deinit { for (_, d) in descriptors { close(d.fd) } }

    /// The entry for `name`, or a `missingTensor` error naming the index file.
    public func entry(_ name: String) throws -> TensorBundleIndex.Entry {
        guard let e = index.entries[name] else { throw ConversionError.missingTensor(file: index.path, tensor: name) }
        return e
    }

    /// Reads the float32 tensor `name`. Checks dtype, byte size against its shape, bounds and crc32c.
    public func readFloats(_ name: String) throws -> [Float] {
        let e = try entry(name)
        guard e.dtype == 1 else { throw ConversionError.wrongDType(file: index.path, tensor: name, dtype: e.dtype) }
        // Shape, size and offset come from the file: checked without arithmetic that could overflow and trap.
        guard let count = Self.elementCount(e.shape), count <= Int.max / 4, e.size == count * 4 else {
            throw ConversionError.corruptIndex(file: index.path, reason: "tensor '\(name)' records \(e.size) bytes for shape \(e.shape)")
        }
        let shard = try open(shard: e.shard)
        guard e.offset >= 0, e.offset <= shard.size, e.size <= shard.size - e.offset else {
            throw ConversionError.truncated(file: shard.path, tensor: name,
                                            reason: "needs \(e.size) bytes from byte \(e.offset) but the file has \(shard.size)")
        }
        var out = [Float](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { buf in
            var done = 0
            while done < e.size {
                let n = pread(shard.fd, buf.baseAddress! + done, e.size - done, off_t(e.offset + done))
                guard n > 0 else {
                    throw ConversionError.truncated(file: shard.path, tensor: name, reason: "read failed at byte \(e.offset + done)")
                }
                done += n
            }
            if let stored = e.crc32c {
                let computed = CRC32C.mask(CRC32C.update(0, buf.baseAddress!, count: e.size))
                guard computed == stored else {
                    throw ConversionError.checksumMismatch(file: shard.path, tensor: name, stored: stored, computed: computed)
                }
            }
        }
        #if _endian(big)
        for i in out.indices { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
        #endif
        return out
    }

    /// The number of values of `shape`; nil for a negative dimension or a product past `Int.max`.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    private func open(shard: Int) throws -> (fd: Int32, size: Int, path: String) {
        if let d = descriptors[shard] { return d }
        guard shard < index.shardCount else {
            throw ConversionError.corruptIndex(file: index.path, reason: "shard \(shard) of \(index.shardCount)")
        }
        let path = TensorBundleIndex.shardPath(prefix: prefix, shard: shard, of: index.shardCount)
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { throw ConversionError.io(file: path, reason: "cannot open data shard (\(String(cString: strerror(errno))))") }
        var st = stat()
        fstat(fd, &st)
        let d = (fd: fd, size: Int(st.st_size), path: path)
        descriptors[shard] = d
        return d
    }
}
