import Dispatch

/// Carries a value into `concurrentPerform` where the caller guarantees the concurrent uses do not conflict.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension BLAS {
    /// Products smaller than this many weights run as one call; larger ones are split over the workers.
    static let parallelThreshold = 1 << 18
    /// Products with 2...skinnyRows rows are cut into ``OpenBLAS/skinnyColumnBlock``-column calls where the
    /// kernel has small-matrix paths (measured: M = 8 still gains 1.3–1.9×, M = 16 does not).
    static let skinnyRows = 8
    /// ... and each call must stay within OpenBLAS's small-matrix limit, M·N·K ≤ 10⁶, so a deep product is also
    /// cut along K into as few parts as that needs (equal multiples of 16, the last one shorter), accumulated with
    /// beta = 1. The 4096 → 1024 feed-forward output at M = 4 (64 columns × 4096 = 1.05·10⁶) ran in 0.50 ms as two
    /// 2048-deep halves, against 1.55 ms uncut; cut into 64 columns but not along K, it was slower than uncut
    /// (1.83 ms).
    static let smallProductLimit = 1_000_000

    /// C[rows, width] (+)= A[rows, k] · op(B), as one sgemm, or as several small ones for skinny products on
    /// kernels with small-matrix paths. `b` points at the first column of this block (`transB`: its first row).
    @inline(__always)
    private func columnBlockGemm(rows: Int, width: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                 b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                 transB: Bool, beta: Float) {
        guard let block = lib.skinnyColumnBlock, rows <= Self.skinnyRows, k > 0,
              rows * block * 16 <= Self.smallProductLimit else {
            gemm(m: rows, n: width, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, transB: transB, beta: beta)
            return
        }
        var parts = (rows * block * k + Self.smallProductLimit - 1) / Self.smallProductLimit
        var depth = ((k + parts - 1) / parts + 15) / 16 * 16
        while rows * block * depth > Self.smallProductLimit {
            parts += 1
            depth = ((k + parts - 1) / parts + 15) / 16 * 16
        }
        for j in stride(from: 0, to: width, by: block) {
            let n = min(block, width - j)
            for d in stride(from: 0, to: k, by: depth) {
                gemm(m: rows, n: n, k: min(depth, k - d), a: a + d, lda: lda, b: b + (transB ? j * ldb + d : d * ldb + j),
                     ldb: ldb, c: c + j, ldc: ldc, transB: transB, beta: d == 0 ? beta : 1)
            }
        }
    }

    /// out[rows, outDim] = x[rows, inDim] · W + b. One row uses sgemv (≈3x faster than sgemm for M=1 in
    /// OpenBLAS 0.3.21); more rows use sgemm. The bias is written first and accumulated into (beta = 1).
    /// Large products are cut into column chunks computed concurrently (see ``OpenBLAS/threads``).
    func linear(_ x: UnsafePointer<Float>, rows: Int, _ l: LinearWeights, out: UnsafeMutablePointer<Float>) {
        let w: UnsafePointer<Float>
        switch l.matrix {
        case let .int8(q):
            int8Product(x, rows: rows, q, bias: l.b, out: out, ldOut: l.outDim)
            return
        case let .float32(matrix):
            w = matrix
        }
        for r in 0..<rows { (out + r * l.outDim).update(from: l.b, count: l.outDim) }
        columnChunks(l.outDim, work: l.inDim * l.outDim) { j0, width in
            if rows == 1 {
                gemv(rows: l.inDim, cols: width, a: w + j0, lda: l.outDim, x: x, y: out + j0, trans: true, beta: 1)
            } else {
                columnBlockGemm(rows: rows, width: width, k: l.inDim, a: x, lda: l.inDim, b: w + j0, ldb: l.outDim,
                                c: out + j0, ldc: l.outDim, transB: false, beta: 1)
            }
        }
    }

    /// logits[rows, V] = x[rows, H] · Eᵀ for the tied embedding E [V, H], split over row chunks of E.
    func projectOntoEmbedding(_ x: UnsafePointer<Float>, rows: Int, embedding: EmbeddingTable, vocab: Int,
                              hidden h: Int, out: UnsafeMutablePointer<Float>) {
        let e: UnsafePointer<Float>
        switch embedding {
        case let .int8(q):
            int8Product(x, rows: rows, q, bias: nil, out: out, ldOut: vocab)
            return
        case let .float32(table):
            e = table
        }
        columnChunks(vocab, work: vocab * h) { v0, width in
            if rows == 1 {
                gemv(rows: width, cols: h, a: e + v0 * h, lda: h, x: x, y: out + v0, trans: false)
            } else {
                columnBlockGemm(rows: rows, width: width, k: h, a: x, lda: h, b: e + v0 * h, ldb: h, c: out + v0,
                                ldc: vocab, transB: true, beta: 0)
            }
        }
    }

    /// Calls `body(start, width)` over [0, total) in chunks: once when the work is small or there is one worker,
    /// otherwise in 4 chunks per worker (multiples of 16 columns), run concurrently.
    func columnChunks(_ total: Int, work: Int, _ body: (Int, Int) -> Void) {
        let workers = lib.threads
        guard workers > 1, work >= Self.parallelThreshold, total >= 64 else {
            body(0, total)
            return
        }
        let chunks = workers * 4
        let width = ((total + chunks - 1) / chunks + 15) / 16 * 16
        let count = (total + width - 1) / width
        // The chunks write disjoint columns of the output, so running `body` concurrently is safe.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { c in
                let start = c * width
                shared.value(start, min(width, total - start))
            }
        }
    }

    /// out = FFN(x) = relu(x·W1 + b1)·W2 + b2. `hidden` holds [rows, W1.outDim].
    func ffn(_ x: UnsafePointer<Float>, rows: Int, _ f: FFNWeights, hidden: UnsafeMutablePointer<Float>,
             out: UnsafeMutablePointer<Float>) {
        linear(x, rows: rows, f.input, out: hidden)
        Kernels.relu(hidden, count: rows * f.input.outDim)
        linear(hidden, rows: rows, f.output, out: out)
    }
}
