/// Every failure the jieba port reports. Messages name the file or dictionary line involved.
public enum JiebaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A bundled resource (`Resources/jieba/<name>`) is not in the module's resource bundle.
    case missingResource(String)
    /// A data file could not be read.
    case unreadable(path: String, reason: String)
    /// A compiled data file is truncated, damaged or of an unknown format.
    case corrupt(path: String, reason: String)
    /// A line of a jieba `dict.txt`-format dictionary is not `word freq [tag]` (1-based line number).
    case invalidDictionaryLine(line: Int, text: String)
    /// The dictionary contents break a limit of the format (too many characters, frequencies, ...).
    case unsupportedDictionary(String)

    public var description: String {
        switch self {
        case let .missingResource(name):
            return "jieba resource '\(name)' is missing from the Tokenizer resource bundle"
        case let .unreadable(path, reason): return "\(path): cannot read: \(reason)"
        case let .corrupt(path, reason): return "\(path): corrupt jieba data: \(reason)"
        case let .invalidDictionaryLine(line, text): return "invalid dictionary entry at line \(line): \(text)"
        case let .unsupportedDictionary(msg): return "unsupported jieba dictionary: \(msg)"
        }
    }
}
