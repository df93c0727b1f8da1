import Dispatch
import Foundation

extension BLAS {
    /// out[r, n] = bias[n] + Σ_k x[r, k] · w[n, k], with x quantized per row and w per output (``Int8Matrix``):
    /// the int32 sum of int8 products, times the row's scale and the output's scale. Row `r` of the output
    /// starts at `out + r * ldOut`.
    ///
    /// The packed blocks run concurrently on the workers (see ``OpenBLAS/threads``); each writes its own columns.
    func int8Product(_ x: UnsafePointer<Float>, rows: Int, _ w: Int8Matrix, bias: UnsafePointer<Float>?,
                     out: UnsafeMutablePointer<Float>, ldOut: Int) {
        // A matrix that was never packed has no blocks and no kernel: nothing to multiply.
        guard rows > 0, w.outputs > 0, let kernel = w.kernel else { return }
        let k = w.inputs
        // [padded, K] int8 activations (rows past `rows` are zero) and their [rows] scales. oneDNN compiles one
        // kernel per row count, so row counts are rounded up to a few sizes (``OneDNN/paddedRows(_:)``).
        let padded = OneDNN.paddedRows(rows)
        let xq = UnsafeMutablePointer<Int8>.allocate(capacity: max(padded * k, 1))
        let xs = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        defer { xq.deallocate(); xs.deallocate() }
        for r in 0..<rows { xs[r] = Int8Quantizer.quantize(x + r * k, count: k, into: xq + r * k) }
        (xq + rows * k).update(repeating: 0, count: (padded - rows) * k)
        let blocks = w.blocks
        let run = { (b: Int) in
            let block = blocks[b]
            let acc = UnsafeMutablePointer<Int32>.allocate(capacity: padded * block.width)   // [padded, width]
            defer { acc.deallocate() }
            do {
                try kernel.multiply(xq, rows: padded, block, out: acc)
            } catch {
                // Only an allocation failure inside oneDNN gets here. The call that saw it fails as a whole:
                // ``CSANMTModel/translate(_:options:)`` checks ``OneDNN/failures`` afterwards.
                acc.update(repeating: 0, count: padded * block.width)
                kernel.recordFailure(error)
            }
            for r in 0..<rows {
                Self.dequantize(acc + r * block.width, count: block.width, rowScale: xs[r],
                                scales: w.scales + block.start, bias: bias.map { $0 + block.start },
                                out: out + r * ldOut + block.start)
            }
        }
        let workers = lib.threads
        if workers == 1 || blocks.count == 1 {
            for b in blocks.indices { run(b) }
        } else {
            // Blocks write disjoint columns, so running them concurrently is safe.
            let shared = UncheckedSendable(run)
            DispatchQueue.concurrentPerform(iterations: blocks.count) { shared.value($0) }
        }
    }

    /// out[n] = bias[n] + Float(sums[n]) · rowScale · scales[n] (no bias when nil). Two plain loops, so the compiler
    /// vectorises each (an optional read inside one loop kept it scalar: perf put that loop at 26-29% of an int8
    /// server's time). Explicit SIMD8 conversions between Int32 and Float were slower still: the standard library
    /// converts those lane by lane.
    @inline(__always)
    static func dequantize(_ sums: UnsafePointer<Int32>, count: Int, rowScale: Float, scales: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        if let bias {
            for n in 0..<count { out[n] = bias[n] + Float(sums[n]) * rowScale * scales[n] }
        } else {
            for n in 0..<count { out[n] = Float(sums[n]) * rowScale * scales[n] }
        }
    }
}
