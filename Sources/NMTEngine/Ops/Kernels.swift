import Foundation

/// Elementwise and row-wise float32 kernels. Pointers are row-major; `rows × dim` elements.
enum Kernels {
    /// LayerNorm over the last dim: (x - mean) * rsqrt(var + 1e-6) * scale + offset, biased variance
    /// (csanmt-spec §1.2). `out` may alias `x`.
    static func layerNorm(_ x: UnsafePointer<Float>, rows: Int, dim: Int, _ w: NormWeights,
                          out: UnsafeMutablePointer<Float>) {
        let n = Float(dim)
        for r in 0..<rows {
            let row = x + r * dim, o = out + r * dim
            var sum: Float = 0
            for i in 0..<dim { sum += row[i] }
            let mean = sum / n
            var sq: Float = 0
            for i in 0..<dim { let d = row[i] - mean; sq += d * d }
            let inv = 1 / (sq / n + 1e-6).squareRoot()
            for i in 0..<dim { o[i] = (row[i] - mean) * inv * w.scale[i] + w.offset[i] }
        }
    }

    /// `x[i] += y[i]`.
    @inline(__always)
    static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// `x[i] *= s`.
    @inline(__always)
    static func scale(_ x: UnsafeMutablePointer<Float>, by s: Float, count: Int) {
        for i in 0..<count { x[i] *= s }
    }

    /// `x[i] = max(x[i], 0)`.
    @inline(__always)
    static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count where x[i] < 0 { x[i] = 0 }
    }

    /// In-place softmax of one row.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.greatestFiniteMagnitude
        for i in 0..<count where x[i] > m { m = x[i] }
        var sum: Float = 0
        for i in 0..<count { let e = expf(x[i] - m); x[i] = e; sum += e }
        let inv = 1 / sum
        for i in 0..<count { x[i] *= inv }
    }

    /// In-place log-softmax of one row: (x - max) - log(Σ exp(x - max)), in TF's order. The sum is accumulated
    /// in Double because V is large (50k); the log is rounded back to float32.
    static func logSoftmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.greatestFiniteMagnitude
        for i in 0..<count where x[i] > m { m = x[i] }
        var sum: Double = 0
        for i in 0..<count { sum += Double(expf(x[i] - m)) }
        let logSum = Float(log(sum))
        for i in 0..<count { x[i] = (x[i] - m) - logSum }
    }
}
