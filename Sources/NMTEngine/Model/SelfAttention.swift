extension Transformer {
    /// Scratch memory for full-sequence self-attention over [batch, length] rows.
    final class AttentionScratch {
        let qkv: FloatBuffer      // [B*L, 3H]
        let context: FloatBuffer  // [B*L, H]
        let logits: FloatBuffer   // [L, L]
        let relQ: FloatBuffer     // [L, 2R+1]  q · rpr_k for each relative distance
        let relW: FloatBuffer     // [L, 2R+1]  attention weight summed per relative distance

        init(rows: Int, length: Int, hidden: Int, relative: Int) {
            qkv = FloatBuffer(rows * 3 * hidden)
            context = FloatBuffer(rows * hidden)
            logits = FloatBuffer(length * length)
            relQ = FloatBuffer(length * (2 * relative + 1))
            relW = FloatBuffer(length * (2 * relative + 1))
        }
    }

    /// Multi-head self-attention over padded sequences (encoder and semantic encoder).
    /// x: [B*L, H] (already pre-normed); out: [B*L, H]. Keys at invalid positions get a -1e9 bias.
    /// With `rprK`/`rprV`, adds Shaw-style relative positions clipped at `max_relative_dis` (csanmt-spec §1.2).
    func selfAttention(_ x: UnsafePointer<Float>, batch src: SourceBatch, _ w: SelfAttentionWeights,
                       scratch s: AttentionScratch, out: UnsafeMutablePointer<Float>) {
        let h = hidden, l = src.length, dh = headSize, rows = src.batch * l
        let qkv = s.qkv.p, ctx = s.context.p, logits = s.logits.p
        blas.linear(x, rows: rows, w.qkv, out: qkv)
        for r in 0..<rows { Kernels.scale(qkv + r * 3 * h, by: queryScale, count: h) }   // q *= dh^-0.5
        let maxRel = config.maxRelativeDis, nRel = 2 * maxRel + 1
        for b in 0..<src.batch {
            for head in 0..<heads {
                let q = qkv + b * l * 3 * h + head * dh, k = q + h, v = q + 2 * h
                // logits[i, j] = q_i · k_j                                    // [L, L]
                blas.gemm(m: l, n: l, k: dh, a: q, lda: 3 * h, b: k, ldb: 3 * h, c: logits, ldc: l, transB: true)
                if let rprK = w.rprK {
                    // relQ[i, r] = q_i · rpr_k[r]; logits[i, j] += relQ[i, clip(i-j) + R]
                    blas.gemm(m: l, n: nRel, k: dh, a: q, lda: 3 * h, b: rprK, ldb: dh, c: s.relQ.p, ldc: nRel,
                              transB: true)
                    for i in 0..<l {
                        for j in 0..<l {
                            logits[i * l + j] += s.relQ.p[i * nRel + min(max(i - j, -maxRel), maxRel) + maxRel]
                        }
                    }
                }
                for i in 0..<l {
                    let row = logits + i * l
                    for j in 0..<l where !src.isValid(b, j) { row[j] += -1e9 }
                    Kernels.softmax(row, count: l)
                }
                let c = ctx + b * l * h + head * dh
                // context[i] = Σ_j w[i, j] v_j                                 // [L, dh] into [B*L, H]
                blas.gemm(m: l, n: dh, k: l, a: logits, lda: l, b: v, ldb: 3 * h, c: c, ldc: h)
                if let rprV = w.rprV {
                    // context[i] += Σ_r (Σ_{j: clip(i-j)=r} w[i, j]) rpr_v[r]
                    let relW = s.relW.p
                    relW.update(repeating: 0, count: l * nRel)
                    for i in 0..<l {
                        for j in 0..<l { relW[i * nRel + min(max(i - j, -maxRel), maxRel) + maxRel] += logits[i * l + j] }
                    }
                    blas.gemm(m: l, n: dh, k: nRel, a: relW, lda: nRel, b: rprV, ldb: dh, c: c, ldc: h, beta: 1)
                }
            }
        }
        blas.linear(ctx, rows: rows, w.output, out: out)
    }
}
