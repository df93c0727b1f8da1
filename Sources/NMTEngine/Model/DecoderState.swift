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
    let logProbs: FloatBuffer      // [N, V]

    init(model m: Transformer, encoder: Transformer.EncoderOutput, semantic r: FloatBuffer, rowsPerSentence k: Int,
         capacity: Int) {
        let h = m.hidden, src = encoder.source, l = src.length
        sentences = src.batch
        rowsPerSentence = k
        rows = src.batch * k
        self.capacity = capacity
        sourceLength = l
        hidden = h
        source = src
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

    /// Makes row `n` of every cache a copy of row `sourceRows[n]` for positions 0..<steps (beam reordering).
    func reorder(sourceRows: [Int], steps: Int) {
        let h = hidden, rowSize = capacity * h
        for layer in 0..<cacheK.count {
            for n in 0..<rows {
                let from = sourceRows[n] * rowSize, to = n * rowSize
                (spareK[layer].p + to).update(from: cacheK[layer].p + from, count: steps * h)
                (spareV[layer].p + to).update(from: cacheV[layer].p + from, count: steps * h)
            }
        }
        swap(&cacheK, &spareK)
        swap(&cacheV, &spareV)
    }
}
