import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, memory-mapped `.safetensors` file (https://github.com/huggingface/safetensors).
///
/// Layout: u64 little-endian header length N, N bytes of JSON header, then the data section. The header maps each
/// tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` relative to the data section.
/// F32 tensors are used in place (zero copy); F16 tensors are widened to F32 once, at load. I8 tensors hold
/// quantized weights (see ``QuantizedLayout``).
public final class SafeTensorsFile: @unchecked Sendable {
    /// Element types the engine reads.
    public enum DType: String, Sendable {
        case f32 = "F32", f16 = "F16", i8 = "I8"

        var byteWidth: Int {
            switch self {
            case .f32: return 4
            case .f16: return 2
            case .i8: return 1
            }
        }
    }

    /// One tensor entry of the header.
    public struct Entry: Sendable {
        public let dtype: DType
        public let shape: [Int]
        let begin: Int
        let end: Int
    }

    public let path: String
    public let entries: [String: Entry]
    /// Free-form `__metadata__` strings of the header.
    public let metadata: [String: String]
    private let base: UnsafeRawPointer
    private let mappedLength: Int
    private let dataStart: Int
    private var widened: [UnsafeMutableBufferPointer<Float>] = []
    private let lock = NSLock()

    /// Maps `path` and validates its header. Throws ``EngineError/modelFile(path:reason:)`` naming the file.
    public init(path: String) throws {
        self.path = path
        func bad(_ reason: String) -> EngineError { .modelFile(path: path, reason: reason) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw bad("cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw bad("cannot stat") }
        let size = Int(st.st_size)
        guard size >= 8 else { throw bad("truncated: \(size) bytes, not a safetensors file") }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw bad("mmap failed (\(String(cString: strerror(errno))))")
        }
        let raw = UnsafeRawPointer(map)
        var ok = false
        defer { if !ok { munmap(map, size) } }
        // Compared as UInt64 before any conversion: a length with the top bit set must be an error, not a trap.
        let storedLength = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        guard storedLength > 0, storedLength <= UInt64(size - 8), storedLength < 100_000_000 else {
            throw bad("header length \(storedLength) does not fit in a \(size)-byte file (truncated or not safetensors)")
        }
        let headerLength = Int(storedLength)
        let headerData = Data(bytes: raw + 8, count: headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw bad("header is not a JSON object")
        }
        let dataLength = size - 8 - headerLength
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                for (k, v) in (value as? [String: Any]) ?? [:] { metadata[k] = v as? String }
                continue
            }
            guard let obj = value as? [String: Any], let dt = obj["dtype"] as? String,
                  let shape = obj["shape"] as? [Int], let offs = obj["data_offsets"] as? [Int], offs.count == 2 else {
                throw bad("malformed header entry for tensor '\(name)'")
            }
            guard let dtype = DType(rawValue: dt) else {
                throw bad("tensor '\(name)' has dtype \(dt); only F32, F16 and I8 are supported")
            }
            // Sizes are computed with overflow checks: a header may claim any numbers.
            var count = 1, overflow = !shape.allSatisfy({ $0 >= 0 })
            for dimension in shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: dimension) }
            let (bytes, tooLarge) = count.multipliedReportingOverflow(by: dtype.byteWidth)
            guard !overflow, !tooLarge, offs[0] >= 0, offs[1] >= offs[0], offs[1] - offs[0] == bytes, offs[1] <= dataLength else {
                throw bad("tensor '\(name)' data [\(offs[0]), \(offs[1])) does not match shape \(shape) \(dt) within \(dataLength) data bytes (truncated?)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, begin: offs[0], end: offs[1])
        }
        self.entries = entries
        self.metadata = metadata
        self.base = raw
        self.mappedLength = size
        self.dataStart = 8 + headerLength
        ok = true
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        for buffer in widened { buffer.deallocate() }
    }

    /// The tensor's values as Float32. F32 data that is 4-byte aligned is returned in place; anything else is
    /// converted once into memory owned by this file object. The pointer lives as long as this object.
    public func floats(_ name: String) throws -> UnsafeBufferPointer<Float> {
        guard let e = entries[name] else { throw EngineError.weight(name: name, reason: "missing from \(path)") }
        guard e.dtype != .i8 else { throw EngineError.weight(name: name, reason: "is I8 in \(path); float32 or float16 is required") }
        let count = e.shape.reduce(1, *)
        let src = base + dataStart + e.begin
        if e.dtype == .f32, Int(bitPattern: src) % MemoryLayout<Float>.alignment == 0 {
            return UnsafeBufferPointer(start: src.assumingMemoryBound(to: Float.self), count: count)
        }
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
        switch e.dtype {
        case .f32:
            for i in 0..<count { out[i] = src.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case .f16:
            for i in 0..<count {
                out[i] = HalfFloat.toFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .i8:
            break   // refused above
        }
        lock.lock()
        widened.append(out)
        lock.unlock()
        return UnsafeBufferPointer(start: out.baseAddress, count: count)   // not `out`: it holds 1 for an empty tensor
    }

    /// An I8 tensor's values, in place.
    func int8s(_ name: String) throws -> UnsafeBufferPointer<Int8> {
        guard let e = entries[name] else { throw EngineError.weight(name: name, reason: "missing from \(path)") }
        guard e.dtype == .i8 else { throw EngineError.weight(name: name, reason: "is \(e.dtype.rawValue) in \(path); I8 is required") }
        return UnsafeBufferPointer(start: (base + dataStart + e.begin).assumingMemoryBound(to: Int8.self),
                                   count: e.shape.reduce(1, *))
    }

    /// Reads element `i` of an F32 or F16 tensor as Float without widening the whole tensor (for quantizing at
    /// load: the float32 copy of a matrix that is about to become int8 is never made).
    func elementReader(_ name: String) throws -> (Int) -> Float {
        guard let e = entries[name] else { throw EngineError.weight(name: name, reason: "missing from \(path)") }
        let src = base + dataStart + e.begin
        switch e.dtype {
        case .f32: return { src.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        case .f16: return { HalfFloat.toFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .i8: throw EngineError.weight(name: name, reason: "is I8 in \(path); float32 or float16 is required")
        }
    }

    /// Lets the kernel drop the tensor's mapped pages from memory (they were read once, to quantize or copy them).
    /// Reading the tensor again afterwards still works: the pages come back from the file.
    func release(_ name: String) {
        guard let e = entries[name] else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: base) + dataStart + e.begin, end = Int(bitPattern: base) + dataStart + e.end
        let first = (start + page - 1) / page * page, last = end / page * page   // whole pages inside the tensor
        guard last > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
        madvise(p, last - first, Int32(MADV_DONTNEED))
    }
}
