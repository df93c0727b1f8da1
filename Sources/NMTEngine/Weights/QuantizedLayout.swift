/// How an int8 model folder (`convert-weights --storage int8`) stores its weights; see docs/model-format.md.
///
/// - Every linear matrix (a name ending in `/matrix`, [in, out] in the checkpoint) is stored transposed, as I8
///   [out, in], so that each output unit's weights are one row with one scale.
/// - The two embeddings ([V, H]) are stored as I8 [V, H], one scale per vocabulary row.
/// - Each of those has a companion F32 tensor `<name>.scale` of shape [out] (or [V]): the real weight is
///   `value × scale` of its row, with every value in -127...127 (symmetric, ``Int8Quantizer``).
/// - Everything else (biases, layer norms, relative-position tables) stays F32.
public enum QuantizedLayout {
    /// The suffix of the scale tensor's name.
    public static let scaleSuffix = ".scale"
    /// The `__metadata__` key and value that mark an int8 file.
    public static let metadataKey = "quantization"
    public static let metadataValue = "int8-symmetric-per-output-row"

    /// Whether `int8` storage quantizes the tensor `name`.
    public static func isQuantized(_ name: String) -> Bool {
        name.hasSuffix("/matrix") || isEmbedding(name)
    }

    /// Whether `name` is one of the two [V, H] embeddings (stored in their own orientation).
    public static func isEmbedding(_ name: String) -> Bool {
        name == CheckpointLayout.sharedEmbedding || name == CheckpointLayout.semanticEmbedding
    }

    /// The I8 tensor's shape for a checkpoint tensor of shape `shape`: [out, in] for a matrix, [V, H] for an
    /// embedding.
    public static func storedShape(_ name: String, _ shape: [Int]) -> [Int] {
        isEmbedding(name) || shape.count != 2 ? shape : [shape[1], shape[0]]
    }

    /// The value of element (row, col) of the stored [rows, cols] int8 layout, read from the checkpoint's
    /// row-major tensor of shape `shape` through `element`.
    public static func storedElement(_ name: String, _ shape: [Int], row: Int, col: Int, _ element: (Int) -> Float) -> Float {
        isEmbedding(name) ? element(row * shape[1] + col) : element(col * shape[1] + row)
    }
}
