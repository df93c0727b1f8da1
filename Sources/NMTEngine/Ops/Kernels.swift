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
        let m = rowMax(x, count: count)
        let sum = sumOfExp(x, count: count, minus: m, store: true)
        scale(x, by: 1 / Float(sum), count: count)
    }

    /// In-place log-softmax of one row: (x - max) - log(Σ exp(x - max)), in TF's order. The exps are summed in
    /// 16 float lanes (about V/16 terms each), the lanes then in Double; the log is rounded back to float32.
    static func logSoftmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let m = rowMax(x, count: count)
        let logSum = Float(log(sumOfExp(x, count: count, minus: m, store: false)))
        for i in 0..<count { x[i] = (x[i] - m) - logSum }
    }

    /// The largest element of a row (-greatestFiniteMagnitude for an empty row).
    static func rowMax(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(x), whole = count / 8 * 8
        var lanes = SIMD8<Float>(repeating: -.greatestFiniteMagnitude)
        for i in stride(from: 0, to: whole, by: 8) {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            lanes.replace(with: v, where: v .> lanes)   // not pointwiseMax: that is a call per vector
        }
        var m = lanes.max()
        for i in whole..<count where x[i] > m { m = x[i] }
        return m
    }

    /// Σ exp(x[i] - m), eight lanes at a time (`exp8`); with `store`, also writes exp(x[i] - m) back into x.
    private static func sumOfExp(_ x: UnsafeMutablePointer<Float>, count: Int, minus m: Float, store: Bool) -> Double {
        let raw = UnsafeMutableRawPointer(x), whole = count / 8 * 8, shift = SIMD8<Float>(repeating: m)
        var even = SIMD8<Float>(), odd = SIMD8<Float>()   // two accumulators: the adds do not wait on each other
        var i = 0
        while i + 16 <= whole {
            let a = exp8(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - shift)
            let b = exp8(raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self) - shift)
            if store {
                raw.storeBytes(of: a, toByteOffset: i * 4, as: SIMD8<Float>.self)
                raw.storeBytes(of: b, toByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            }
            even += a
            odd += b
            i += 16
        }
        if i < whole {
            let a = exp8(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - shift)
            if store { raw.storeBytes(of: a, toByteOffset: i * 4, as: SIMD8<Float>.self) }
            even += a
        }
        var sum = 0.0
        for lane in 0..<8 { sum += Double(even[lane]) + Double(odd[lane]) }
        for j in whole..<count {
            let e = expf(x[j] - m)
            if store { x[j] = e }
            sum += Double(e)
        }
        return sum
    }
}
