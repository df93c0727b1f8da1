/// Failures of the checkpoint reader and converter. Every message names the file and, where there is one, the tensor.
public enum ConversionError: Error, CustomStringConvertible, Equatable {
    case io(file: String, reason: String)
    case corruptIndex(file: String, reason: String)
    case missingTensor(file: String, tensor: String)
    case shapeMismatch(file: String, tensor: String, found: [Int], expected: [Int])
    case wrongDType(file: String, tensor: String, dtype: Int)
    case truncated(file: String, tensor: String, reason: String)
    case checksumMismatch(file: String, tensor: String, stored: UInt32, computed: UInt32)
    case unsupportedConfig(file: String, reason: String)
    case outputExists(path: String)
    /// `--storage int8` cannot quantize this tensor.
    case notQuantizable(file: String, tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .io(file, reason): return "\(file): \(reason)"
        case let .corruptIndex(file, reason): return "\(file): corrupt checkpoint index: \(reason)"
        case let .missingTensor(file, tensor): return "\(file): tensor '\(tensor)' is missing from the checkpoint"
        case let .shapeMismatch(file, tensor, found, expected):
            return "\(file): tensor '\(tensor)' has shape \(found), but the config implies \(expected)"
        case let .wrongDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(TensorBundleIndex.dtypeName(dtype)); float32 is required"
        case let .truncated(file, tensor, reason): return "\(file): tensor '\(tensor)': truncated file: \(reason)"
        case let .checksumMismatch(file, tensor, stored, computed):
            return "\(file): tensor '\(tensor)': crc32c mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is corrupt"
        case let .unsupportedConfig(file, reason): return "\(file): unsupported config: \(reason)"
        case let .outputExists(path): return "\(path) already exists; pass --force to overwrite it"
        case let .notQuantizable(file, tensor, reason): return "\(file): tensor '\(tensor)' cannot be stored as int8: \(reason)"
        }
    }
}

private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
