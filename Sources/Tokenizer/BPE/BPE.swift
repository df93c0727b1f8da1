import Foundation

/// Port of subword-nmt 0.3.8 `apply_bpe.BPE` with the defaults ModelScope's CSANMT pipeline uses
/// (`BPE(open(codes))`: separator `@@`, all merges, no vocabulary, no glossaries, no dropout).
///
/// Words are segmented over code points (Python `str` indexing), not `Character`s; one-code-point words are
/// never merged. Results per word are cached like subword-nmt's `cache` (the cache only saves time; it is
/// cleared when it holds `cacheByteLimit` bytes, so memory stays bounded). Thread-safe.
///
/// One deliberate difference from subword-nmt: a word longer than `maxWordScalars` code points is cut into
/// pieces of that length, each segmented on its own (a continuation separator joins them). Merging is quadratic
/// in the word's length: a 5,000-letter "word" took 2.7 s, and real words are far shorter than 100 code points,
/// so outputs on real text are unchanged. `maxWordScalars: nil` restores subword-nmt's exact behaviour.
public final class BPE: @unchecked Sendable {
    /// The codes-file version (from the `#version:` header; 0.1 without one).
    public var version: BPEVersion { codes.version }
    /// The separator appended to every non-final piece of a word.
    public let separator: String
    /// Number of distinct merge operations in use.
    public var mergeCount: Int { codes.merges.count }

    /// Bytes the cache may hold (keys and pieces, 4 bytes a code point, plus per-entry overhead); it is emptied
    /// when full.
    public static let cacheByteLimit = 32 << 20
    /// Longest word segmented whole (see the type's documentation); nil = no limit.
    public let maxWordScalars: Int?

    private let codes: BPECodes
    private let separatorScalars: [UInt32]
    private let lock = NSLock()
    private var cache: [[UInt32]: [[UInt32]]] = [:]
    private var cacheBytes = 0

    /// Reads merge operations from the contents of a subword-nmt codes file.
    /// - Parameters:
    ///   - codes: the file contents (a `#version: 0.2` header or none for 0.1, then one `A B` merge per line).
    ///   - merges: use only the first `merges` merge lines; -1 (default) uses all.
    ///   - separator: appended to non-final pieces (default `@@`).
    /// - Throws: `BPEError` for a malformed header or merge line, or a version other than 0.1/0.2.
    ///   - maxWordScalars: longer words are segmented in pieces of this many code points (nil: never cut).
    public init(codes: String, merges: Int = -1, separator: String = "@@", maxWordScalars: Int? = 100) throws {
        self.maxWordScalars = maxWordScalars.map { max(2, $0) }
        self.codes = try BPECodes(contents: codes, merges: merges)
        self.separator = separator
        self.separatorScalars = MosesScalarText.scalars(of: separator)
    }

    /// Reads merge operations from a codes file (UTF-8).
    public convenience init(contentsOf url: URL, merges: Int = -1, separator: String = "@@", maxWordScalars: Int? = 100) throws {
        guard let data = try? Data(contentsOf: url) else { throw BPEError.unreadable(url.path) }
        try self.init(codes: String(decoding: data, as: UTF8.self), merges: merges, separator: separator,
                      maxWordScalars: maxWordScalars)
    }

    /// `BPE.process_line(line)`: segments the space-separated words of `line` and keeps its leading and
    /// trailing `\r`, `\n` and space characters.
    public func processLine(_ line: String) -> String {
        MosesScalarText.string(from: processLineScalars(MosesScalarText.scalars(of: line)))
    }

    /// The pipeline's `process_line(line).strip().split()`: the BPE pieces of `line`, separators attached.
    public func segment(_ line: String) -> [String] {
        let processed = processLineScalars(MosesScalarText.scalars(of: line))
        return MosesScalarText.splitOnWhitespace(processed).map { MosesScalarText.string(from: $0) }
    }

    /// The pieces of one word without separators (`encode`), e.g. `["lo", "w", "er"]`.
    public func encodeWord(_ word: String) -> [String] {
        encode(MosesScalarText.scalars(of: word)).map { MosesScalarText.string(from: $0) }
    }

    func processLineScalars(_ line: [UInt32]) -> [UInt32] {
        let isEdge: (UInt32) -> Bool = { $0 == 0x0D || $0 == 0x0A || $0 == 0x20 }
        let body = MosesScalarText.strip(line[...], where: isEdge)
        var output: [UInt32] = Array(line[..<body.startIndex])
        output.reserveCapacity(line.count * 2)
        var firstWord = true
        for word in body.split(separator: 0x20, omittingEmptySubsequences: true) {
            let pieces = encode(Array(word))
            for (index, piece) in pieces.enumerated() {
                if !firstWord { output.append(0x20) }
                firstWord = false
                output.append(contentsOf: piece)
                if index < pieces.count - 1 { output.append(contentsOf: separatorScalars) }
            }
        }
        if !body.isEmpty { output.append(contentsOf: line[body.endIndex...]) }
        return output
    }

    /// `encode(orig, ...)`: the pieces of one word (no separators). An over-long word is segmented in parts.
    func encode(_ word: [UInt32]) -> [[UInt32]] {
        if let limit = maxWordScalars, word.count > limit {
            // [parts][pieces][scalars]: each part as a word of its own, pieces joined as one word's.
            return stride(from: 0, to: word.count, by: limit).flatMap { start in
                encodeWhole(Array(word[start..<min(start + limit, word.count)]))
            }
        }
        return encodeWhole(word)
    }

    private func encodeWhole(_ word: [UInt32]) -> [[UInt32]] {
        if word.count <= 1 { return word.isEmpty ? [] : [word] }
        lock.lock()
        let cached = cache[word]
        lock.unlock()
        if let cached { return cached }
        let pieces = applyMerges(word)
        // Code points × 4 bytes, plus about 64 bytes per array and dictionary entry.
        let bytes = 4 * (word.count + pieces.reduce(0) { $0 + $1.count }) + 64 * (pieces.count + 2)
        lock.lock()
        if cacheBytes + bytes > Self.cacheByteLimit {
            cache.removeAll(keepingCapacity: false)
            cacheBytes = 0
        }
        if cache.updateValue(pieces, forKey: word) == nil { cacheBytes += bytes }
        lock.unlock()
        return pieces
    }

    /// Symbol ids below zero stand for symbols absent from the codes (they can never merge):
    /// `-(i + 1)` is the character at index i (with `</w>` appended if it is the last one, in 0.2), and
    /// `Int32.min` a standalone `</w>` (0.1).
    private func applyMerges(_ word: [UInt32]) -> [[UInt32]] {
        // Symbol ids are Int32; a word of 2^31 code points (8 GiB) is left whole rather than trapping.
        guard word.count < Int(Int32.max) else { return [word] }
        let last = word.count - 1
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count + 1)
        for index in 0..<last {
            symbols.append(codes.singleCharacter[word[index]] ?? -Int32(index + 1))
        }
        switch codes.version {
        case .v0_2:
            symbols.append(codes.finalCharacter[word[last]] ?? -Int32(last + 1))
        case .v0_1:
            symbols.append(codes.singleCharacter[word[last]] ?? -Int32(last + 1))
            symbols.append(codes.endOfWord ?? Int32.min)
        }

        var next: [Int32] = []
        next.reserveCapacity(symbols.count)
        while symbols.count > 1 {
            // The pair with the lowest rank.
            var best: (left: Int32, right: Int32, merge: BPECodes.Merge)? = nil
            for index in 0..<(symbols.count - 1) {
                let left = symbols[index]
                let right = symbols[index + 1]
                guard left >= 0, right >= 0, let merge = codes.merges[Self.key(left, right)] else { continue }
                if let current = best, current.merge.rank <= merge.rank { continue }
                best = (left, right, merge)
            }
            guard let best else { break }
            // Merge every non-overlapping occurrence, left to right.
            next.removeAll(keepingCapacity: true)
            var index = 0
            while index < symbols.count {
                if index + 1 < symbols.count, symbols[index] == best.left, symbols[index + 1] == best.right {
                    next.append(best.merge.merged)
                    index += 2
                } else {
                    next.append(symbols[index])
                    index += 1
                }
            }
            swap(&symbols, &next)
        }

        var pieces = symbols.map { text(of: $0, in: word) }
        // Drop the end-of-word marker.
        if let final = pieces.last {
            if final == BPECodes.endOfWordMarker {
                pieces.removeLast()
            } else if final.count >= 4, final[(final.count - 4)...] == BPECodes.endOfWordMarker[...] {
                pieces[pieces.count - 1] = Array(final.dropLast(4))
            }
        }
        return pieces
    }

    private func text(of symbol: Int32, in word: [UInt32]) -> [UInt32] {
        if symbol >= 0 { return codes.symbols[Int(symbol)] }
        if symbol == Int32.min { return BPECodes.endOfWordMarker }
        let index = Int(-symbol) - 1
        if codes.version == .v0_2, index == word.count - 1 { return [word[index]] + BPECodes.endOfWordMarker }
        return [word[index]]
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}
