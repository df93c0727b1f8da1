extension Transformer {
    /// One incremental decoder step for the active rows (csanmt-spec §1.6-1.7).
    ///
    /// `previous` holds each row's token from step t-1 (ignored at t = 0, where the input is the zero vector, not
    /// a BOS embedding). Writes log-probabilities to `state.logProbs` ([N, V]) and this step's keys/values into
    /// the caches at position t.
    func decoderStep(_ s: DecoderState, t: Int, previous: UnsafePointer<Int32>) {
        let h = hidden, n = s.activeRows, dh = headSize, k = s.rowsPerSentence, l = s.sourceLength
        let x = s.x.p, pe = positions.table
        for r in 0..<n {   // x = E[prev] * sqrt(H) + PE[t]                                 // [N, H]
            let row = x + r * h
            if t == 0 {
                row.update(repeating: 0, count: h)
            } else {
                // With a shortlist, `previous` holds indices into it.
                let id = s.output.map { Int($0.ids[Int(previous[r])]) } ?? Int(previous[r])
                weights.embedding.row(id, times: embeddingScale, hidden: h, into: row)
            }
            for i in 0..<h { row[i] += pe[t * h + i] }
        }
        for (li, layer) in weights.decoderLayers.enumerated() {
            // Semantic augmentation: the per-sentence constant, broadcast over beams.
            for r in 0..<n { Kernels.add(x + r * h, s.augmentation[li].p + (r / k) * h, count: h) }
            postNorm(x, rows: n, layer.normAug)

            // Self-attention over the cache (positions 0...t).
            preNorm(x, rows: n, layer.normSelf, out: s.normed.p)
            blas.linear(s.normed.p, rows: n, layer.selfAttention.qkv, out: s.qkv.p)          // [N, 3H]
            let ck = s.cacheK[li].p, cv = s.cacheV[li].p, att = s.attention.p
            for r in 0..<n {
                let src = s.qkv.p + r * 3 * h
                Kernels.scale(src, by: queryScale, count: h)
                (ck + (r * s.capacity + t) * h).update(from: src + h, count: h)
                (cv + (r * s.capacity + t) * h).update(from: src + 2 * h, count: h)
                for head in 0..<heads {
                    let keys = ck + r * s.capacity * h + head * dh, values = cv + r * s.capacity * h + head * dh
                    blas.gemv(rows: t + 1, cols: dh, a: keys, lda: h, x: src + head * dh, y: att, trans: false)
                    Kernels.softmax(att, count: t + 1)
                    blas.gemv(rows: t + 1, cols: dh, a: values, lda: h, x: att, y: s.context.p + r * h + head * dh,
                              trans: true)
                }
            }
            blas.linear(s.context.p, rows: n, layer.selfAttention.output, out: s.sub.p)
            Kernels.add(x, s.sub.p, count: n * h)
            postNorm(x, rows: n, layer.normSelf)

            // Cross-attention: the k rows of a sentence share its encoder K/V.
            preNorm(x, rows: n, layer.normCross, out: s.normed.p)
            blas.linear(s.normed.p, rows: n, layer.crossAttention.q, out: s.query.p)         // [N, H]
            Kernels.scale(s.query.p, by: queryScale, count: n * h)
            if l == 0 { s.context.p.update(repeating: 0, count: n * h) }   // no source positions: empty attention
            for b in 0..<s.activeSentences where l > 0 {
                let kv = s.crossKV[li].p + b * l * 2 * h
                for head in 0..<heads {
                    let q = s.query.p + b * k * h + head * dh
                    // att[j, i] = q_j · key_i                                             // [k, L]
                    blas.gemm(m: k, n: l, k: dh, a: q, lda: h, b: kv + head * dh, ldb: 2 * h, c: att, ldc: l,
                              transB: true)
                    for j in 0..<k {
                        let row = att + j * l
                        for i in 0..<l where !s.isValid(slot: b, i) { row[i] += -1e9 }
                        Kernels.softmax(row, count: l)
                    }
                    blas.gemm(m: k, n: dh, k: l, a: att, lda: l, b: kv + h + head * dh, ldb: 2 * h,
                              c: s.context.p + b * k * h + head * dh, ldc: h)
                }
            }
            blas.linear(s.context.p, rows: n, layer.crossAttention.output, out: s.sub.p)
            Kernels.add(x, s.sub.p, count: n * h)
            postNorm(x, rows: n, layer.normCross)

            // Feed-forward.
            preNorm(x, rows: n, layer.normFFN, out: s.normed.p)
            blas.ffn(s.normed.p, rows: n, layer.ffn, hidden: s.ffnHidden.p, out: s.sub.p)
            Kernels.add(x, s.sub.p, count: n * h)
            postNorm(x, rows: n, layer.normFFN)
        }
        if let final = weights.decoderFinalNorm { Kernels.layerNorm(x, rows: n, dim: h, final, out: x) }

        // Tied output projection: logits = x · Eᵀ, then log-softmax.                     // [N, V] or [N, S]
        let v = s.output?.count ?? config.vocabSize, out = s.logProbs.p
        blas.projectOntoEmbedding(x, rows: n, embedding: s.output?.table ?? weights.embedding, vocab: v, hidden: h,
                                  out: out)
        for r in 0..<n { Kernels.logSoftmax(out + r * v, count: v) }
    }
}
