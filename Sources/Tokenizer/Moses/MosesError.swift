/// Errors of the Moses ports.
public enum MosesError: Error, Sendable, Equatable {
    /// The language has rules or data this port does not implement.
    case unsupportedLanguage(String)
    /// A data file shipped with the module could not be found or read.
    case missingResource(String)
}
