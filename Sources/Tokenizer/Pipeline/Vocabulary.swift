import Foundation

/// A CSANMT vocabulary file: one token per line, id = 0-based line index, `</s>` = 0.
///
/// Lookups follow ModelScope's pipeline exactly: tokens are `line.strip()`ed; when a token occurs twice, the later
/// line wins (Python `dict` construction); unknown source tokens map to `src_vocab_size - 1`; unknown target ids
/// map to `<unk>`.
public struct Vocabulary: Sendable {
    public let tokens: [String]
    private let ids: [String: Int32]

    /// Reads `url` (UTF-8). Throws ``TokenizerError/file(path:reason:)`` naming the file.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.file(path: url.path, reason: "cannot read vocabulary file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.file(path: url.path, reason: "vocabulary is not valid UTF-8")
        }
        self.init(lines: Self.lines(text))
    }

    /// Builds a vocabulary from lines (before stripping).
    public init(lines: [String]) {
        tokens = lines.map(PythonText.strip)
        var ids: [String: Int32] = [:]
        for (i, t) in tokens.enumerated() { ids[t] = Int32(i) }
        self.ids = ids
    }

    public var count: Int { tokens.count }

    /// The id of `token`, or `unknown` when absent.
    public func id(_ token: String, unknown: Int32) -> Int32 { ids[token] ?? unknown }

    /// The token of `id`, or `<unk>` when the id is not a line of the file.
    public func token(_ id: Int32) -> String { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : "<unk>" }

    /// Python's `for line in file` on text: splits after each `\n` (keeping `\r`, which strip removes); a final
    /// line without a newline still counts.
    static func lines(_ text: String) -> [String] {
        var out = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if out.last == "" { out.removeLast() }
        return out
    }
}

/// Tokenizer failures. Messages name the file or the input at fault.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    case file(path: String, reason: String)
    case unsupported(String)

    public var description: String {
        switch self {
        case let .file(path, reason): return "\(path): \(reason)"
        case let .unsupported(msg): return msg
        }
    }
}
