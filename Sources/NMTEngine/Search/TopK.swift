/// Streaming top-k with TensorFlow's tie rule (equal values: the lower index first).
struct TopK {
    private(set) var values: [Float]
    private(set) var indices: [Int]
    private(set) var count = 0
    let k: Int

    init(k: Int) {
        self.k = k
        values = [Float](repeating: 0, count: k)
        indices = [Int](repeating: 0, count: k)
    }

    mutating func reset() { count = 0 }

    /// Offers `value` at `index`. Indices must be offered in increasing order for the tie rule to hold.
    @inline(__always)
    mutating func offer(_ value: Float, _ index: Int) {
        if count == k {
            guard value > values[k - 1] else { return }
        } else {
            count += 1
        }
        var i = count - 1   // shift smaller values down; stop at an equal or larger one (stable)
        while i > 0 && values[i - 1] < value {
            values[i] = values[i - 1]
            indices[i] = indices[i - 1]
            i -= 1
        }
        values[i] = value
        indices[i] = index
    }

    /// Offers (base + row[v]) / penalty at index first + v for v in 0..<count, in order: the beam search's
    /// candidates of one beam. Same result as offering each value: (base + x) / penalty never decreases as x
    /// grows (IEEE rounding is monotonic), so a block of 64 whose largest x does not beat the current k-th value
    /// cannot contribute. A block's largest x comes from ``Kernels/rowMax(_:count:)`` (NaNs never count, as they
    /// never enter); after the first blocks almost none passes, and those that do are offered element by element.
    mutating func offer(row: UnsafePointer<Float>, count n: Int, base: Float, penalty: Float, first: Int) {
        var v = 0
        while v < n && count < k {
            offer((base + row[v]) / penalty, first + v)
            v += 1
        }
        while v + 64 <= n {
            if (base + Kernels.rowMax(row + v, count: 64)) / penalty > values[k - 1] {
                for j in v..<(v + 64) { offer((base + row[j]) / penalty, first + j) }
            }
            v += 64
        }
        while v < n {
            offer((base + row[v]) / penalty, first + v)
            v += 1
        }
    }
}
