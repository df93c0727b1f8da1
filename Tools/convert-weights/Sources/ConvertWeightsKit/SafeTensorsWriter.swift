import Foundation
import NMTEngine

/// Writes a `.safetensors` file tensor by tensor, so a 2.3 GB model never sits in memory at once.
/// The header (names, dtypes, shapes, offsets) is computed up front from the specs; data follows in order.
public final class SafeTensorsWriter {
    public enum Storage: String, CaseIterable, Sendable { case f32, f16 }

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
        let width = storage == .f32 ? 4 : 2
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for s in specs {
            let bytes = s.elementCount * width
            header[s.name] = ["dtype": storage == .f32 ? "F32" : "F16", "shape": s.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
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
        next += 1
        switch storage {
        case .f32:
            try values.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        case .f16:
            let halves = values.map { HalfFloat.fromFloat($0).littleEndian }
            try halves.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        }
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
