extension Transformer {
    /// Output of the main encoder: memory for cross-attention.
    struct EncoderOutput {
        let states: FloatBuffer   // [B, L, H]; padded rows hold LN(0) = offset (harmless: masked)
        let source: SourceBatch
    }

    /// Main encoder (csanmt-spec §1.4).
    func encode(_ src: SourceBatch) -> EncoderOutput {
        let h = hidden, l = src.length, rows = src.batch * l
        let x = FloatBuffer(rows * h)
        for b in 0..<src.batch {
            for t in 0..<l {
                let row = x.p + (b * l + t) * h
                if src.isValid(b, t) {   // E[id] * sqrt(H) + PE[t]; invalid rows (incl. their PE) stay 0
                    weights.embedding.row(Int(src.ids[b * l + t]), times: embeddingScale, hidden: h, into: row)
                    let pe = positions.table
                    for i in 0..<h { row[i] += pe[t * h + i] }
                }
                Kernels.add(row, weights.encoderInputBias, count: h)   // added after masking, to every row
            }
        }
        runEncoderLayers(x, src, weights.encoderLayers)
        if let final = weights.encoderFinalNorm { Kernels.layerNorm(x.p, rows: rows, dim: h, final, out: x.p) }
        return EncoderOutput(states: x, source: src)
    }

    /// Semantic encoder `r` (csanmt-spec §1.5): relative-position layers, masked mean pooling, linear, LN.
    /// Returns [B, H].
    func semanticVector(_ src: SourceBatch) -> FloatBuffer {
        let h = hidden, l = src.length
        let y = FloatBuffer(src.batch * l * h)
        for b in 0..<src.batch {
            for t in 0..<l where src.isValid(b, t) {   // no positions, no input bias
                weights.semanticEmbedding.row(Int(src.ids[b * l + t]), times: embeddingScale, hidden: h,
                                              into: y.p + (b * l + t) * h)
            }
        }
        runEncoderLayers(y, src, weights.semanticLayers)
        let pooled = FloatBuffer(src.batch * h)
        for b in 0..<src.batch {
            let p = pooled.p + b * h
            for t in 0..<l { Kernels.add(p, y.p + (b * l + t) * h, count: h) }   // invalid rows are 0
            Kernels.scale(p, by: 1 / Float(src.lengths[b] + 1), count: h)          // real tokens + </s>
        }
        let r = FloatBuffer(src.batch * h)
        blas.linear(pooled.p, rows: src.batch, weights.semanticPooling, out: r.p)
        if let final = weights.semanticFinalNorm { Kernels.layerNorm(r.p, rows: src.batch, dim: h, final, out: r.p) }
        return r
    }

    /// Encoder-style layers over x [B*L, H] in place; rows at invalid positions are re-zeroed after each layer.
    private func runEncoderLayers(_ x: FloatBuffer, _ src: SourceBatch, _ layers: [EncoderLayerWeights]) {
        let h = hidden, l = src.length, rows = src.batch * l
        guard rows > 0 else { return }   // an all-empty batch has no positions (see SourceBatch)
        let normed = FloatBuffer(rows * h), sub = FloatBuffer(rows * h)
        let ffnHidden = FloatBuffer(rows * config.filterSize)
        let scratch = AttentionScratch(rows: rows, length: l, hidden: h, relative: config.maxRelativeDis)
        for layer in layers {
            preNorm(x.p, rows: rows, layer.norm0, out: normed.p)
            selfAttention(normed.p, batch: src, layer.attention, scratch: scratch, out: sub.p)
            Kernels.add(x.p, sub.p, count: rows * h)
            postNorm(x.p, rows: rows, layer.norm0)
            preNorm(x.p, rows: rows, layer.norm1, out: normed.p)
            blas.ffn(normed.p, rows: rows, layer.ffn, hidden: ffnHidden.p, out: sub.p)
            Kernels.add(x.p, sub.p, count: rows * h)
            postNorm(x.p, rows: rows, layer.norm1)
            for b in 0..<src.batch {
                for t in 0..<l where !src.isValid(b, t) { (x.p + (b * l + t) * h).update(repeating: 0, count: h) }
            }
        }
    }
}
