/// Every failure the engine reports. Messages name the file, tensor or limit involved.
public enum EngineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model folder or one of its files is missing or unreadable.
    case modelFile(path: String, reason: String)
    /// A weight is missing, has the wrong shape or dtype.
    case weight(name: String, reason: String)
    /// `config.json` describes something the engine cannot run.
    case unsupportedConfig(String)
    /// A request is invalid (ids out of range, too long, bad options).
    case invalidInput(String)
    /// OpenBLAS could not be loaded.
    case blasUnavailable(String)
    /// The int8 kernels (oneDNN) could not be set up.
    case int8Unavailable(String)

    public var description: String {
        switch self {
        case let .modelFile(path, reason): return "\(path): \(reason)"
        case let .weight(name, reason): return "weight '\(name)': \(reason)"
        case let .unsupportedConfig(msg): return "unsupported model config: \(msg)"
        case let .invalidInput(msg): return "invalid input: \(msg)"
        case let .blasUnavailable(msg): return "BLAS unavailable: \(msg)"
        case let .int8Unavailable(msg): return "int8 compute unavailable: \(msg)"
        }
    }
}
