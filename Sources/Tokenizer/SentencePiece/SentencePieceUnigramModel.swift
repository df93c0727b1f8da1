/// Unigram segmentation: the best-scoring path through all vocabulary pieces, computed exactly as
/// sentencepiece 0.2.3's `unigram::Model::EncodeOptimized` does (the encoder its `Encode` uses), so that even
/// floating-point ties resolve the same way.
///
/// Semantics that matter for identical output:
/// - positions are UTF-8 byte offsets; UNUSED pieces are left out; a character with no single-character
///   piece gets an unknown node scored `minScore - 10` (`kUnkPenalty`);
/// - a USER_DEFINED piece scores `Float(0.1 * (lengthInBytes - 1))` (`GetUserDefinedScore`), so it beats the
///   (negative) log probabilities of normal pieces and longer user-defined pieces beat shorter ones;
/// - a later candidate replaces the best path ending at a position only when strictly better, candidates
///   arriving in order of their start;
/// - when the running score leaves [-100000, 100000] it is re-based (`kScoreResetThreshold`).
struct SentencePieceUnigramModel: Sendable {
    static let unknownPenalty: Float = 10
    static let scoreResetThreshold: Float = 100_000

    let vocabulary: SentencePieceVocabulary

    /// `GetUserDefinedScore`.
    @inline(__always)
    static func userDefinedScore(length: Int) -> Float { Float(0.1 * Double(length - 1)) }

    func encode(_ normalized: [UInt8]) -> [SentencePieceSegment] {
        guard !normalized.isEmpty else { return [] }
        return normalized.withUnsafeBufferPointer { encode($0) }
    }

    private func encode(_ text: UnsafeBufferPointer<UInt8>) -> [SentencePieceSegment] {
        let vocab = vocabulary
        let size = text.count
        let unkScore = vocab.minScore - Self.unknownPenalty
        let unkId = vocab.unkId

        // best_path_ends_at: the best path ending at each byte offset (exclusive end).
        var bestScore = [Float](repeating: 0, count: size + 1)
        var bestStart = [Int](repeating: -1, count: size + 1)
        var bestId = [Int](repeating: -1, count: size + 1)
        var maxFrontier = 0

        vocab.types.withUnsafeBufferPointer { types in
            vocab.scores.withUnsafeBufferPointer { scores in
                var startsAt = 0
                while startsAt < size {
                    var scoreTillHere = bestScore[startsAt]
                    if scoreTillHere < -Self.scoreResetThreshold || scoreTillHere > Self.scoreResetThreshold {
                        let offset = scoreTillHere
                        if startsAt <= maxFrontier {
                            for i in startsAt...maxFrontier where i == startsAt || bestStart[i] != -1 {
                                bestScore[i] -= offset
                            }
                        }
                        scoreTillHere = 0
                    }
                    let charLength = min(SentencePieceUTF8.oneCharLength(text[startsAt]), size - startsAt)
                    var hasSingleNode = false
                    vocab.normalTrie.forEachPrefix(text, from: startsAt, to: size) { end, id in
                        let type = types[id]
                        if type == .unused { return }
                        maxFrontier = max(maxFrontier, end)
                        let length = end - startsAt
                        let score = type == .userDefined ? Self.userDefinedScore(length: length) : scores[id]
                        let candidate = score + scoreTillHere
                        if bestStart[end] == -1 || candidate > bestScore[end] {
                            bestScore[end] = candidate
                            bestStart[end] = startsAt
                            bestId[end] = id
                        }
                        if length == charLength { hasSingleNode = true }
                    }
                    if !hasSingleNode {
                        let end = startsAt + charLength
                        maxFrontier = max(maxFrontier, end)
                        let candidate = unkScore + scoreTillHere
                        if bestStart[end] == -1 || candidate > bestScore[end] {
                            bestScore[end] = candidate
                            bestStart[end] = startsAt
                            bestId[end] = unkId
                        }
                    }
                    startsAt += charLength
                }
            }
        }

        var segments: [SentencePieceSegment] = []
        segments.reserveCapacity(size / 4 + 1)
        var end = size
        while end > 0 {
            let start = bestStart[end]
            // Always set for a vocabulary of well-formed UTF-8 pieces; guards a corrupt one.
            guard start >= 0, start < end else { return [] }
            segments.append(SentencePieceSegment(start: start, end: end, id: bestId[end]))
            end = start
        }
        segments.reverse()
        return segments
    }
}
