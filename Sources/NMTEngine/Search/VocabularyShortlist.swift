/// A vocabulary shortlist in ids, CTranslate2's "vmap": for each source id, the target ids worth scoring.
///
/// With a shortlist, each `translate` call scores only the union of its sources' candidates, `always`, and
/// `</s>`, instead of the whole vocabulary: the output projection and the log-softmax shrink from V columns to
/// that union. The softmax is then normalised over the shortlist alone (as CTranslate2 does), so scores, and
/// sometimes translations, differ from the full vocabulary. Off unless a model is given one.
public struct VocabularyShortlist: Sendable {
    /// Source id → candidate target ids.
    public let candidates: [Int32: [Int32]]
    /// Target ids scored for every input (frequent words, punctuation).
    public let always: [Int32]

    public init(candidates: [Int32: [Int32]], always: [Int32]) {
        self.candidates = candidates
        self.always = always
    }

    /// The sorted, distinct target ids to score for `sources`, within 0..<vocabSize. Always holds 0, `</s>`,
    /// which then keeps index 0 (the beam search's end-of-sentence test reads the index).
    func targets(for sources: [[Int32]], vocabSize: Int) -> [Int32] {
        var seen = [Bool](repeating: false, count: vocabSize)
        seen[0] = true
        for id in always where id >= 0 && Int(id) < vocabSize { seen[Int(id)] = true }
        for source in sources {
            for s in source {
                for id in candidates[s] ?? [] where id >= 0 && Int(id) < vocabSize { seen[Int(id)] = true }
            }
        }
        return seen.indices.filter { seen[$0] }.map(Int32.init)
    }
}

/// The columns one `translate` call scores: the shortlist's target ids and their embedding rows, gathered once.
final class OutputVocabulary {
    /// Index in the shortlist → target id (ids[0] == 0, `</s>`).
    let ids: [Int32]
    /// The gathered rows E[ids] [S, H] in float32, read by OpenBLAS. For an int8 model they are dequantized:
    /// packing them for oneDNN would cost a reorder and, since S differs from call to call, a new oneDNN
    /// primitive per call.
    let table: EmbeddingTable
    private let floatRows: FloatBuffer

    var count: Int { ids.count }

    init(ids: [Int32], embedding: EmbeddingTable, hidden h: Int) {
        self.ids = ids
        let rows = FloatBuffer(ids.count * h)   // [S, H]
        for (i, id) in ids.enumerated() { embedding.row(Int(id), times: 1, hidden: h, into: rows.p + i * h) }
        floatRows = rows
        table = .float32(rows.p)
    }
}
