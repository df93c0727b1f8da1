/// Errors thrown while loading a SentencePiece `.model` file.
public enum SentencePieceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The protobuf wire data is truncated or malformed (`offset` is a byte offset into the enclosing message).
    case malformedProtobuf(reason: String, offset: Int)
    /// The model is structurally valid protobuf but breaks a SentencePiece invariant (as the C++ library checks).
    case invalidModel(String)
    /// The model uses a feature this implementation does not support (for example model types WORD and CHAR).
    case unsupported(String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "SentencePiece: cannot read model file \(path): \(reason)"
        case let .malformedProtobuf(reason, offset):
            return "SentencePiece: malformed model protobuf at byte \(offset): \(reason)"
        case let .invalidModel(reason):
            return "SentencePiece: invalid model: \(reason)"
        case let .unsupported(reason):
            return "SentencePiece: unsupported model: \(reason)"
        }
    }
}
