/// A fixed-size, zero-initialised float32 buffer with a stable address, for activations and caches.
/// Allocated once per request (never per token) and freed on deinit.
final class FloatBuffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { p.deallocate() }

    /// A copy of the contents as an array (for results and tests, not the hot path).
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
