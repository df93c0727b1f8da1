/// The codes-file format version subword-nmt 0.3.8 supports.
public enum BPEVersion: Sendable, Equatable {
    /// No header: `</w>` is a separate final symbol.
    case v0_1
    /// `#version: 0.2`: `</w>` is attached to the last character.
    case v0_2
}

/// A parsed subword-nmt codes file: the merge table over interned symbols.
///
/// Symbols are compared by code points (as Python compares `str`), so they are interned from `[UInt32]`, never
/// from `String` (Swift's `String` equality is canonical equivalence).
struct BPECodes: Sendable {
    /// A merge: its priority (lower first; the first occurrence in the file wins) and the merged symbol.
    struct Merge: Sendable {
        let rank: Int32
        let merged: Int32
    }

    let version: BPEVersion
    /// Interned symbol texts, indexed by symbol id.
    let symbols: [[UInt32]]
    /// Id of each one-character symbol.
    let singleCharacter: [UInt32: Int32]
    /// Id of each one-character symbol followed by `</w>`.
    let finalCharacter: [UInt32: Int32]
    /// Id of `</w>` on its own, if it occurs in the codes.
    let endOfWord: Int32?
    /// (left id << 32 | right id) → merge.
    let merges: [UInt64: Merge]

    static let endOfWordMarker: [UInt32] = MosesScalarText.scalars(of: "</w>")

    /// Parses codes-file contents exactly as `subword_nmt.apply_bpe.BPE.__init__` reads a file opened in text
    /// mode: universal newlines, optional `#version:` first line, then one `A B` merge per line (`merges` ≥ 0
    /// keeps only the first `merges` lines, -1 keeps all).
    init(contents: String, merges mergeLimit: Int = -1) throws {
        var text = Self.universalNewlines(MosesScalarText.scalars(of: contents))

        // First line (with its "\n"), as codes.readline() returns it.
        let firstLineEnd = text.firstIndex(of: 0x0A).map { $0 + 1 } ?? text.count
        let firstLine = Array(text[..<firstLineEnd])
        let hasHeader = firstLine.starts(with: MosesScalarText.scalars(of: "#version:"))
        if hasHeader {
            version = try Self.parseVersion(firstLine)
            text.removeFirst(firstLineEnd)
        } else {
            version = .v0_1
        }

        // codes.read().rstrip('\n').split('\n')
        var end = text.count
        while end > 0, text[end - 1] == 0x0A { end -= 1 }
        let lines = text[..<end].split(separator: 0x0A, omittingEmptySubsequences: false)
        let headerOffset = hasHeader ? 2 : 1  // subword-nmt's 1-based line number of merge 0

        var symbols: [[UInt32]] = []
        var ids: [[UInt32]: Int32] = [:]
        func intern(_ symbol: [UInt32]) -> Int32 {
            if let id = ids[symbol] { return id }
            let id = Int32(symbols.count)
            symbols.append(symbol)
            ids[symbol] = id
            return id
        }
        var table: [UInt64: Merge] = [:]
        for (lineNumber, rawLine) in lines.enumerated() {
            if mergeLimit != -1, lineNumber >= mergeLimit { break }
            // item.strip('\r\n ').split(' ')
            let item = MosesScalarText.strip(ArraySlice(rawLine)) { $0 == 0x0D || $0 == 0x0A || $0 == 0x20 }
            let parts = item.split(separator: 0x20, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw BPEError.invalidMergeLine(line: lineNumber + headerOffset,
                                                text: MosesScalarText.string(from: item))
            }
            let left = Array(parts[0])
            let right = Array(parts[1])
            let leftID = intern(left)
            let rightID = intern(right)
            let mergedID = intern(left + right)
            let key = UInt64(UInt32(bitPattern: leftID)) << 32 | UInt64(UInt32(bitPattern: rightID))
            if table[key] == nil {
                table[key] = Merge(rank: Int32(clamping: lineNumber), merged: mergedID)
            }
        }

        var single: [UInt32: Int32] = [:]
        var final: [UInt32: Int32] = [:]
        for (id, symbol) in symbols.enumerated() {
            if symbol.count == 1 {
                single[symbol[0]] = Int32(id)
            } else if symbol.count == 5, symbol[1...] == Self.endOfWordMarker[...] {
                final[symbol[0]] = Int32(id)
            }
        }
        self.symbols = symbols
        self.singleCharacter = single
        self.finalCharacter = final
        self.endOfWord = ids[Self.endOfWordMarker]
        self.merges = table
    }

    /// Python's universal-newline translation: "\r\n" and "\r" become "\n".
    private static func universalNewlines(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(0x0D) else { return text }
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == 0x0D {
                output.append(0x0A)
                if index + 1 < text.count, text[index + 1] == 0x0A { index += 1 }
            } else {
                output.append(text[index])
            }
            index += 1
        }
        return output
    }

    /// `tuple(int(x) for x in re.sub(r'(\.0+)*$', '', firstline.split()[-1]).split('.'))`.
    private static func parseVersion(_ firstLine: [UInt32]) throws -> BPEVersion {
        let lineText = MosesScalarText.string(from: firstLine)
        guard var token = MosesScalarText.splitOnWhitespace(firstLine).last.map(Array.init) else {
            throw BPEError.invalidVersionHeader(lineText)
        }
        // Remove trailing groups of "." followed by zeros.
        while let dot = token.lastIndex(of: 0x2E), dot + 1 < token.count,
              token[(dot + 1)...].allSatisfy({ $0 == 0x30 }) {
            token.removeSubrange(dot...)
        }
        var numbers: [Int] = []
        for part in token.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard let number = parseInteger(part) else { throw BPEError.invalidVersionHeader(lineText) }
            numbers.append(number)
        }
        switch numbers {
        case [0, 1]: return .v0_1
        case [0, 2]: return .v0_2
        default: throw BPEError.unsupportedVersion(MosesScalarText.string(from: token))
        }
    }

    /// A subset of Python `int()`: optional sign, ASCII digits, single underscores between digits.
    private static func parseInteger(_ digits: ArraySlice<UInt32>) -> Int? {
        var body = digits
        var negative = false
        if let sign = body.first, sign == 0x2B || sign == 0x2D {
            negative = sign == 0x2D
            body = body.dropFirst()
        }
        guard let first = body.first, let last = body.last, first != 0x5F, last != 0x5F else { return nil }
        var value = 0
        var previousUnderscore = false
        for scalar in body {
            if scalar == 0x5F {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            guard (0x30...0x39).contains(scalar) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(scalar - 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
