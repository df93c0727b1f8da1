/// Everything the incremental decoder keeps for one batch: per-sentence constants computed once (cross-attention
/// K/V, the augmentation term) and per-row self-attention caches, plus step scratch. Sized once, up front, so the
/// decoding loop never allocates.
final class DecoderState {
    let sentences: Int             // B
    let rowsPerSentence: Int       // k: beam width (or 1 when teacher forcing)
    let rows: Int                  // N = B * k
    let capacity: Int              // max target steps (cache length)
    let sourceLength: Int          // L
    let hidden: Int                // H
    let source: SourceBatch

    /// Sentences still being decoded. They occupy slots 0..<activeSentences; their per-sentence data (cross K/V,
    /// augmentation, cache rows) is compacted into those slots when sentences retire. Step scratch is rewritten
    /// every step and needs no compaction.
    private(set) var activeSentences: Int
    /// Slot → index of the sentence in the batch.
    private(set) var slotSentence: [Int]
    /// Rows of the active sentences: activeSentences × k.
    var activeRows: Int { activeSentences * rowsPerSentence }

    /// Per layer: encoder K|V projected once per sentence.           // [B, L, 2H]
    let crossKV: [FloatBuffer]
    /// Per layer: FFN_aug(LN(r)) (pre-norm) or FFN_aug(r) (post-norm). // [B, H]
    let augmentation: [FloatBuffer]
    /// Per layer: projected self-attention keys and values.          // [N, capacity, H]
    var cacheK: [FloatBuffer]
    var cacheV: [FloatBuffer]
    /// Spare caches for reordering beams without allocating.
    var spareK: [FloatBuffer]
    var spareV: [FloatBuffer]

    // Step scratch.
    let x: FloatBuffer             // [N, H] residual stream
    let normed: FloatBuffer        // [N, H]
    let qkv: FloatBuffer           // [N, 3H]
    let query: FloatBuffer         // [N, H]
    let context: FloatBuffer       // [N, H]
    let sub: FloatBuffer           // [N, H]
    let ffnHidden: FloatBuffer     // [N, F]
    let attention: FloatBuffer     // [max(capacity, k * L)]
    let logProbs: FloatBuffer      // [N, V] (or [N, S] with a shortlist)
    /// The shortlist's columns for this call (nil: the whole vocabulary).
    let output: OutputVocabulary?

    init(model m: Transformer, encoder: Transformer.EncoderOutput, semantic r: FloatBuffer, rowsPerSentence k: Int,
         capacity: Int, output: OutputVocabulary? = nil) {
        self.output = output
        let h = m.hidden, src = encoder.source, l = src.length
        sentences = src.batch
        rowsPerSentence = k
        rows = src.batch * k
        self.capacity = capacity
        sourceLength = l
        hidden = h
        source = src
        activeSentences = src.batch
        slotSentence = Array(0..<src.batch)
        let layers = m.weights.decoderLayers
        crossKV = layers.map { layer in
            let kv = FloatBuffer(src.batch * l * 2 * h)
            if l > 0 { m.blas.linear(encoder.states.p, rows: src.batch * l, layer.crossAttention.kv, out: kv.p) }
            return kv
        }
        let normedR = FloatBuffer(src.batch * h), augHidden = FloatBuffer(src.batch * h)
        augmentation = layers.map { layer in
            let out = FloatBuffer(src.batch * h)
            m.preNorm(r.p, rows: src.batch, layer.normAug, out: normedR.p)   // post-norm: r itself
            m.blas.ffn(normedR.p, rows: src.batch, layer.augmentation, hidden: augHidden.p, out: out.p)
            return out
        }
        let cacheSize = rows * capacity * h
        cacheK = layers.map { _ in FloatBuffer(cacheSize) }
        cacheV = layers.map { _ in FloatBuffer(cacheSize) }
        spareK = layers.map { _ in FloatBuffer(cacheSize) }
        spareV = layers.map { _ in FloatBuffer(cacheSize) }
        x = FloatBuffer(rows * h)
        normed = FloatBuffer(rows * h)
        qkv = FloatBuffer(rows * 3 * h)
        query = FloatBuffer(rows * h)
        context = FloatBuffer(rows * h)
        sub = FloatBuffer(rows * h)
        ffnHidden = FloatBuffer(rows * m.config.filterSize)
        attention = FloatBuffer(max(capacity, k * l))
        logProbs = FloatBuffer(rows * m.config.vocabSize)
    }

    /// Whether source position `t` of the sentence in `slot` is a real token or its `</s>` (not padding).
    @inline(__always)
    func isValid(slot: Int, _ t: Int) -> Bool { source.isValid(slotSentence[slot], t) }

    /// Keeps only the sentences in `slots` (ascending), moving each one's per-sentence data and cache rows
    /// (positions 0..<steps) down to slots 0..<slots.count. Blocks only ever move to a lower slot, so in
    /// ascending order no copy overwrites data that is still to be moved.
    func retain(slots: [Int], steps: Int) {
        let h = hidden, k = rowsPerSentence, l = sourceLength, rowSize = capacity * h
        for (to, from) in slots.enumerated() where to != from {
            for layer in 0..<crossKV.count {
                (crossKV[layer].p + to * l * 2 * h).update(from: crossKV[layer].p + from * l * 2 * h, count: l * 2 * h)
                (augmentation[layer].p + to * h).update(from: augmentation[layer].p + from * h, count: h)
                for j in 0..<k {
                    let dst = (to * k + j) * rowSize, src = (from * k + j) * rowSize
                    (cacheK[layer].p + dst).update(from: cacheK[layer].p + src, count: steps * h)
                    (cacheV[layer].p + dst).update(from: cacheV[layer].p + src, count: steps * h)
                }
            }
        }
        slotSentence = slots.map { slotSentence[$0] }
        activeSentences = slots.count
    }

    /// Makes row `n` of every cache a copy of row `sourceRows[n]` for positions 0..<steps (beam reordering),
    /// for the active rows.
    func reorder(sourceRows: [Int], steps: Int) {
        let h = hidden, rowSize = capacity * h
        for layer in 0..<cacheK.count {
            for n in 0..<activeRows {
                let from = sourceRows[n] * rowSize, to = n * rowSize
                (spareK[layer].p + to).update(from: cacheK[layer].p + from, count: steps * h)
                (spareV[layer].p + to).update(from: cacheV[layer].p + from, count: steps * h)
            }
        }
        swap(&cacheK, &spareK)
        swap(&cacheV, &spareV)
    }
}
