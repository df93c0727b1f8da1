/// A weight matrix quantized to int8 with one symmetric scale per output unit, as the int8 products use it.
///
/// Stored output-major: `values` is [outputs, inputs] row-major, so row `n` holds the weights feeding output `n`
/// (the column `n` of a ``LinearWeights`` matrix, or the row `n` of the tied embedding). The real weight is
/// `values[n, k] * scales[n]`, with `scales[n] = max_k |w[n, k]| / 127` (1 when the row is all zero), and every
/// value in -127...127, so negating never overflows and the range is symmetric.
final class Int8Matrix: @unchecked Sendable {
    let outputs: Int
    let inputs: Int
    /// [outputs, inputs]; freed by ``dropPlainValues()`` once only the packed blocks are needed.
    private(set) var values: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>  // [outputs]
    private var hasPlainValues = true
    /// The same values in oneDNN's preferred layout, cut into column blocks (see ``OneDNN/pack(_:)``).
    private(set) var blocks: [OneDNN.PackedBlock] = []
    /// The kernel that packed ``blocks`` and multiplies them (nil until ``pack(with:)``).
    private(set) var kernel: OneDNN?

    /// Quantizes `w` stored input-major [inputs, outputs] (element (k, n) at `w[k * outputs + n]`), as a
    /// ``LinearWeights`` matrix is.
    convenience init(inputMajor w: UnsafePointer<Float>, inputs: Int, outputs: Int) {
        self.init(outputs: outputs, inputs: inputs) { n, k in w[k * outputs + n] }
    }

    /// Quantizes `w` stored output-major [outputs, inputs], as the tied embedding [V, H] is.
    convenience init(outputMajor w: UnsafePointer<Float>, outputs: Int, inputs: Int) {
        self.init(outputs: outputs, inputs: inputs) { n, k in w[n * inputs + k] }
    }

    /// Quantizes `element(n, k)`, the weight from input `k` to output `n`.
    init(outputs: Int, inputs: Int, element: (Int, Int) -> Float) {
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

    /// Copies already-quantized values [outputs, inputs] and their scales (an int8 model file).
    init(values stored: UnsafeBufferPointer<Int8>, scales storedScales: UnsafeBufferPointer<Float>, outputs: Int, inputs: Int) {
        self.outputs = outputs
        self.inputs = inputs
        values = .allocate(capacity: max(outputs * inputs, 1))
        scales = .allocate(capacity: max(outputs, 1))
        if let v = stored.baseAddress { values.update(from: v, count: outputs * inputs) }
        if let s = storedScales.baseAddress { scales.update(from: s, count: outputs) }
    }

    deinit {
        if hasPlainValues { values.deallocate() }
        scales.deallocate()
    }

    /// Whether every scale is a finite positive number (false: the weights held NaN or ∞).
    var scalesAreValid: Bool { (0..<outputs).allSatisfy { scales[$0].isFinite && scales[$0] > 0 } }

    /// Frees the plain values once the packed blocks hold them (a matrix only ever multiplied). The embedding
    /// keeps them: rows are looked up from them.
    func dropPlainValues() {
        guard hasPlainValues, !blocks.isEmpty || outputs == 0 else { return }
        values.deallocate()
        values = UnsafeMutablePointer(bitPattern: MemoryLayout<Int8>.alignment)!   // never read again
        hasPlainValues = false
    }

    /// Lays the values out for oneDNN once; afterwards ``blocks`` is what the products read.
    func pack(with dnnl: OneDNN) throws {
        blocks = try dnnl.pack(self)
        kernel = dnnl
    }

    /// The weight the int8 products use in place of `w[k, n]`: `values[n, k] * scales[n]`.
    func dequantized(output n: Int, input k: Int) -> Float {
        Float(values[n * inputs + k]) * scales[n]
    }
}

/// Symmetric int8 quantization of one row of floats (the one definition: the converter and the engine share it).
public enum Int8Quantizer {
    /// Writes `round(x / scale)` clamped to -127...127 for `count` values and returns `scale = max|x| / 127`
    /// (1 for an all-zero or empty row, so dividing by it is always defined). Non-finite inputs make the scale
    /// non-finite, which the products then carry into their output, as float32 would.
    @inline(__always)
    public static func quantize(_ x: UnsafePointer<Float>, count: Int, into q: UnsafeMutablePointer<Int8>) -> Float {
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
