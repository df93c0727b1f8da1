/// Errors raised while reading a subword-nmt codes file.
public enum BPEError: Error, Sendable, Equatable {
    /// The `#version:` header could not be parsed (Python would raise `ValueError`).
    case invalidVersionHeader(String)
    /// A version other than 0.1 or 0.2 (Python raises `NotImplementedError` on the first word it encodes).
    case unsupportedVersion(String)
    /// A merge line that is not exactly two space-separated units; `line` is 1-based in the file, as
    /// subword-nmt reports it before exiting.
    case invalidMergeLine(line: Int, text: String)
    /// The codes file could not be read.
    case unreadable(String)
}
