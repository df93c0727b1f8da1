/// The arithmetic the engine's matrix products run in.
public enum ComputeType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// float32 products through OpenBLAS: bit-for-bit the engine ModelScope's goldens check.
    case float32
    /// int8 products through oneDNN: every weight matrix (and the tied output projection) quantized at load with
    /// one symmetric scale per output unit, activations quantized per row at run time. Weights take a quarter of
    /// the bytes, so the memory-bound decoder steps stream less; results differ from float32 by quantization.
    case int8

    public var description: String { rawValue }
}
