import Foundation
import NMTEngine

/// Writes a `.safetensors` file tensor by tensor, so a 2.3 GB model never sits in memory at once.
/// The header (names, dtypes, shapes, offsets) is computed up front from the specs; data follows in order.
public final class SafeTensorsWriter {
    /// `f32`: exact. `f16`: half the size, widened at load. `int8`: matrices and embeddings quantized with one
    /// scale per output row (``QuantizedLayout``), the rest f32; a quarter of the size, for `--compute int8`.
    public enum Storage: String, CaseIterable, Sendable { case f32, f16, int8 }

    private let handle: FileHandle
    private let specs: [TensorSpec]
    private let storage: Storage
    private var next = 0
    public let path: String

    /// Creates `path` and writes its header. Tensors must then be added in `specs` order.
    public init(path: String, specs: [TensorSpec], storage: Storage, metadata: [String: String]) throws {
        self.path = path
        self.specs = specs
        self.storage = storage
        var metadata = metadata
        if storage == .int8 { metadata[QuantizedLayout.metadataKey] = QuantizedLayout.metadataValue }
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for s in specs {
            if storage == .int8, QuantizedLayout.isQuantized(s.name) {
                // The I8 values, then their F32 scales right after (the order `append` writes them in).
                let stored = QuantizedLayout.storedShape(s.name, s.shape)
                header[s.name] = ["dtype": "I8", "shape": stored, "data_offsets": [offset, offset + s.elementCount]]
                offset += s.elementCount
                header[s.name + QuantizedLayout.scaleSuffix] = ["dtype": "F32", "shape": [stored[0]],
                                                                "data_offsets": [offset, offset + 4 * stored[0]]]
                offset += 4 * stored[0]
            } else {
                let width = storage == .f16 ? 2 : 4
                header[s.name] = ["dtype": storage == .f16 ? "F16" : "F32", "shape": s.shape,
                                  "data_offsets": [offset, offset + s.elementCount * width]]
                offset += s.elementCount * width
            }
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data section starts 8-byte aligned: f32 tensors can then be used in place.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw ConversionError.io(file: path, reason: "cannot create output file")
        }
        handle = h
        var length = UInt64(json.count).littleEndian
        try handle.write(contentsOf: Data(bytes: &length, count: 8))
        try handle.write(contentsOf: json)
    }

    /// Appends the next tensor's values (must match the next spec's element count).
    public func append(_ name: String, _ values: [Float]) throws {
        guard next < specs.count, specs[next].name == name, specs[next].elementCount == values.count else {
            throw ConversionError.io(file: path, reason: "internal: tensor '\(name)' written out of order")
        }
        let spec = specs[next]
        next += 1
        switch storage {
        case .int8 where QuantizedLayout.isQuantized(name):
            try appendInt8(spec, values)
        case .f32, .int8:
            try values.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        case .f16:
            let halves = values.map { HalfFloat.fromFloat($0).littleEndian }
            try halves.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        }
    }

    /// Quantizes a matrix or embedding (the engine's own ``Int8Quantizer``, so quantizing here and at load give
    /// the same bytes) and writes its values and scales.
    private func appendInt8(_ spec: TensorSpec, _ values: [Float]) throws {
        let stored = QuantizedLayout.storedShape(spec.name, spec.shape)
        guard stored.count == 2 else {
            throw ConversionError.notQuantizable(file: path, tensor: spec.name, reason: "shape \(spec.shape) is not a matrix")
        }
        var q = [Int8](repeating: 0, count: spec.elementCount)
        var scales = [Float](repeating: 0, count: stored[0])
        var row = [Float](repeating: 0, count: stored[1])
        for r in 0..<stored[0] {
            for c in 0..<stored[1] {
                row[c] = QuantizedLayout.storedElement(spec.name, spec.shape, row: r, col: c) { values[$0] }
            }
            scales[r] = q.withUnsafeMutableBufferPointer { out in
                Int8Quantizer.quantize(row, count: stored[1], into: out.baseAddress! + r * stored[1])
            }
            guard scales[r].isFinite else {
                throw ConversionError.notQuantizable(file: path, tensor: spec.name,
                                                     reason: "row \(r) holds NaN or infinity")
            }
        }
        try q.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        try scales.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
    }

    /// Flushes and closes; throws if some tensor was never written.
    public func finish() throws {
        guard next == specs.count else {
            throw ConversionError.io(file: path, reason: "internal: only \(next) of \(specs.count) tensors written")
        }
        try handle.synchronize()
        try handle.close()
    }
}
