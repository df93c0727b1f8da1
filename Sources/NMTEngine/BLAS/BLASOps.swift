/// Thin, typed wrappers over the two BLAS calls the engine makes. All matrices are row-major.
struct BLAS: @unchecked Sendable {
    let lib: OpenBLAS

    /// C[M,N] = alpha * op(A) · op(B) + beta * C, where op(A) is [M,K] and op(B) is [K,N].
    /// `transB` means B is stored [N,K] (e.g. the tied embedding [V,H] used as the output projection).
    @inline(__always)
    func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              c: UnsafeMutablePointer<Float>, ldc: Int, transA: Bool = false, transB: Bool = false,
              alpha: Float = 1, beta: Float = 0) {
        lib.sgemmFn(OpenBLAS.rowMajor, transA ? OpenBLAS.trans : OpenBLAS.noTrans,
                    transB ? OpenBLAS.trans : OpenBLAS.noTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                    b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha * op(A) · x + beta * y with A stored [rows, cols] (lda ≥ cols).
    /// `trans == false`: y[rows] = A x[cols]. `trans == true`: y[cols] = Aᵀ x[rows].
    @inline(__always)
    func gemv(rows: Int, cols: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
              y: UnsafeMutablePointer<Float>, trans: Bool, alpha: Float = 1, beta: Float = 0) {
        lib.sgemvFn(OpenBLAS.rowMajor, trans ? OpenBLAS.trans : OpenBLAS.noTrans, Int32(rows), Int32(cols), alpha,
                    a, Int32(lda), x, 1, beta, y, 1)
    }
}
