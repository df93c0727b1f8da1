/// sentencepiece's compiled normalization rules (`NormalizerSpec.precompiled_charsmap`).
///
/// Blob layout: a little-endian `u32` with the byte size of the trie, the Darts-clone double-array units,
/// then the pool of NUL-terminated replacement strings that the trie values point into.
struct SentencePieceCharsMap: Sendable {
    /// At most this many prefix matches are looked at (`Normalizer::kMaxTrieResultsSize`).
    static let maxTrieResults = 32

    let trie: SentencePieceDoubleArray
    let pool: [UInt8]

    /// Decodes and checks the blob as `Normalizer::DecodePrecompiledCharsMap` and `Normalizer::Init` do.
    /// - Throws: `SentencePieceError.invalidModel` when the blob is truncated, the trie size is not a positive
    ///   multiple of 1024 bytes, the pool is not NUL-terminated, or the double array fails Darts' `validate`.
    init(blob: [UInt8]) throws {
        guard blob.count > 4 else {
            throw SentencePieceError.invalidModel("precompiled_charsmap is broken (\(blob.count) bytes)")
        }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize < blob.count - 4 else {
            throw SentencePieceError.invalidModel(
                "precompiled_charsmap trie size \(trieSize) exceeds the blob size \(blob.count)")
        }
        guard trieSize >= 1024, trieSize & 0x3FF == 0 else {
            throw SentencePieceError.invalidModel("precompiled_charsmap trie size \(trieSize) is not divisible by 1024")
        }
        let unitCount = trieSize / 4
        var units = [UInt32](repeating: 0, count: unitCount)
        for k in 0..<unitCount {
            let p = 4 + 4 * k
            units[k] = UInt32(blob[p]) | UInt32(blob[p + 1]) << 8 | UInt32(blob[p + 2]) << 16
                | UInt32(blob[p + 3]) << 24
        }
        let pool = Array(blob[(4 + trieSize)...])
        guard pool.last == 0 else {
            throw SentencePieceError.invalidModel("precompiled_charsmap replacement pool is not NUL-terminated")
        }
        let trie = SentencePieceDoubleArray(units: units)
        guard trie.validate(maxValue: pool.count) else {
            throw SentencePieceError.invalidModel("precompiled_charsmap is invalid")
        }
        self.trie = trie
        self.pool = pool
    }

    /// The longest rule matching a prefix of `input[start..<end]`: how many input bytes it consumes and the
    /// range of its replacement in `pool` (up to the NUL or the end of the pool). Nil when no rule matches,
    /// or when the rule points outside the pool (a corrupt blob; the caller then copies the character as is).
    func longestRule(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int)
        -> (consumed: Int, replacement: Range<Int>)? {
        guard let match = trie.longestPrefix(input, from: start, to: end, maxResults: Self.maxTrieResults),
              match.value < pool.count else { return nil }
        var stop = match.value
        while stop < pool.count, pool[stop] != 0 { stop += 1 }
        return (match.length, match.value..<stop)
    }
}
