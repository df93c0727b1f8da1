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
}
