/// A weight matrix quantized to int8 with one symmetric scale per output unit, as the int8 products use it.
///
/// Stored output-major: `values` is [outputs, inputs] row-major, so row `n` holds the weights feeding output `n`
/// (the column `n` of a ``LinearWeights`` matrix, or the row `n` of the tied embedding). The real weight is
/// `values[n, k] * scales[n]`, with `scales[n] = max_k |w[n, k]| / 127` (1 when the row is all zero), and every
/// value in -127...127, so negating never overflows and the range is symmetric.
final class Int8Matrix: @unchecked Sendable {
    let outputs: Int
    let inputs: Int
    let values: UnsafeMutablePointer<Int8>   // [outputs, inputs]
    let scales: UnsafeMutablePointer<Float>  // [outputs]
    /// The same values in oneDNN's preferred layout, cut into column blocks (see ``OneDNN/pack(_:)``).
    private(set) var blocks: [OneDNN.PackedBlock] = []

    /// Quantizes `w` (element (k, n) at `w[k * rowStride + n]`, k < inputs, n < outputs): a ``LinearWeights``
    /// matrix [in, out] has `rowStride == outputs`.
    convenience init(inputMajor w: UnsafePointer<Float>, inputs: Int, outputs: Int) {
        self.init(outputs: outputs, inputs: inputs) { n, k in w[k * outputs + n] }
    }

    /// Quantizes `w` stored output-major [outputs, inputs], as the tied embedding [V, H] is.
    convenience init(outputMajor w: UnsafePointer<Float>, outputs: Int, inputs: Int) {
        self.init(outputs: outputs, inputs: inputs) { n, k in w[n * inputs + k] }
    }

    private init(outputs: Int, inputs: Int, element: (Int, Int) -> Float) {
        self.outputs = outputs
        self.inputs = inputs
        values = .allocate(capacity: max(outputs * inputs, 1))
        scales = .allocate(capacity: max(outputs, 1))
        var row = [Float](repeating: 0, count: inputs)
        for n in 0..<outputs {
            for k in 0..<inputs { row[k] = element(n, k) }
            scales[n] = row.withUnsafeBufferPointer {
                Int8Quantizer.quantize($0.baseAddress!, count: inputs, into: values + n * inputs)
            }
        }
    }

    deinit {
        values.deallocate()
        scales.deallocate()
    }

    /// Lays the values out for oneDNN once; afterwards ``blocks`` is what the products read.
    func pack(with dnnl: OneDNN) throws {
        blocks = try dnnl.pack(self)
    }

    /// The weight the int8 products use in place of `w[k, n]`: `values[n, k] * scales[n]`.
    func dequantized(output n: Int, input k: Int) -> Float {
        Float(values[n * inputs + k]) * scales[n]
    }

    /// Bytes the quantized weights take (values and scales; oneDNN's packed copy is the same size again until the
    /// plain values are dropped, which ``OneDNN/pack(_:)`` does not do: tests read them).
    var byteCount: Int { outputs * inputs + outputs * MemoryLayout<Float>.size }
}

/// Symmetric int8 quantization of one row of floats.
enum Int8Quantizer {
    /// Writes `round(x / scale)` clamped to -127...127 for `count` values and returns `scale = max|x| / 127`
    /// (1 for an all-zero or empty row, so dividing by it is always defined). Non-finite inputs make the scale
    /// non-finite, which the products then carry into their output, as float32 would.
    @inline(__always)
    static func quantize(_ x: UnsafePointer<Float>, count: Int, into q: UnsafeMutablePointer<Int8>) -> Float {
        var maxAbs: Float = 0
        var finite = true
        for i in 0..<count {
            let a = abs(x[i])
            finite = finite && a.isFinite
            maxAbs = max(maxAbs, a)
        }
        guard finite else {
            q.update(repeating: 0, count: count)
            return .nan
        }
        guard maxAbs > 0 else {
            q.update(repeating: 0, count: count)
            return 1
        }
        let scale = maxAbs / 127
        let inverse = 127 / maxAbs
        for i in 0..<count {
            // |x·inverse| ≤ 127 up to one rounding step; the clamp keeps a value of 127.00001 from becoming 128.
            let r = (x[i] * inverse).rounded(.toNearestOrEven)
            q[i] = Int8(max(-127, min(127, r)))
        }
        return scale
    }
}
