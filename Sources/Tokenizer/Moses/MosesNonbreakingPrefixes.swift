import Foundation

/// The nonbreaking prefixes of one language, read the way sacremoses reads them
/// (`NonbreakingPrefixes.words(lang)` and `MosesTokenizer.__init__`).
struct MosesNonbreakingPrefixes: Sendable {
    /// NONBREAKING_PREFIXES: every non-empty, non-`#` line, stripped (lines such as `No #NUMERIC_ONLY#` are kept
    /// whole, so the bare word is *not* in this set).
    let prefixes: Set<[UInt32]>
    /// NUMERIC_ONLY_PREFIXES: for lines matching `\s#NUMERIC_ONLY#`, the text before the line's last space.
    let numericOnly: Set<[UInt32]>

    /// Parses the contents of a `nonbreaking_prefix.XX` file.
    init(fileContents: String) {
        var prefixes: Set<[UInt32]> = []
        var numericOnly: Set<[UInt32]> = []
        let marker = MosesScalarText.scalars(of: "#NUMERIC_ONLY#")
        for rawLine in Self.pythonSplitLines(MosesScalarText.scalars(of: fileContents)) {
            let line = Array(MosesScalarText.strip(Array(rawLine)))
            guard let first = line.first, first != 0x23 else { continue }  // "#"
            prefixes.insert(line)
            let hasMarker = line.indices.dropLast(marker.count).contains { index in
                MosesScalarText.isSpace(line[index]) && MosesScalarText.hasMatch(line, marker, at: index + 1)
            }
            if hasMarker {
                // str.rpartition(" ")[0]: everything before the last space, or "" if there is none.
                if let lastSpace = line.lastIndex(of: 0x20) {
                    numericOnly.insert(Array(line[..<lastSpace]))
                } else {
                    numericOnly.insert([])
                }
            }
        }
        self.prefixes = prefixes
        self.numericOnly = numericOnly
    }

    /// The English list, read from the bundle once per process.
    static let english: Result<MosesNonbreakingPrefixes, MosesError> = {
        do {
            return .success(try load(lang: "en"))
        } catch let error as MosesError {
            return .failure(error)
        } catch {
            return .failure(.missingResource("nonbreaking_prefix.en"))
        }
    }()

    /// Loads `Resources/moses/nonbreaking_prefix.<lang>` from the module bundle.
    static func load(lang: String) throws -> MosesNonbreakingPrefixes {
        let name = "nonbreaking_prefix.\(lang)"
        guard let url = Bundle.module.url(forResource: "nonbreaking_prefix", withExtension: lang,
                                          subdirectory: "Resources/moses")
        else { throw MosesError.missingResource(name) }
        guard let data = try? Data(contentsOf: url) else { throw MosesError.missingResource(name) }
        return MosesNonbreakingPrefixes(fileContents: String(decoding: data, as: UTF8.self))
    }

    /// Python `str.splitlines()`.
    static func pythonSplitLines(_ text: [UInt32]) -> [ArraySlice<UInt32>] {
        var lines: [ArraySlice<UInt32>] = []
        var start = 0
        var index = 0
        while index < text.count {
            let value = text[index]
            switch value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                lines.append(text[start..<index])
                if value == 0x0D, index + 1 < text.count, text[index + 1] == 0x0A { index += 1 }
                index += 1
                start = index
            default:
                index += 1
            }
        }
        if start < text.count { lines.append(text[start..<text.count]) }
        return lines
    }
}
