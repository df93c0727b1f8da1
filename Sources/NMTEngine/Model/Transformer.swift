/// The model's weights plus the derived constants every forward pass needs. Immutable and shareable across
/// threads; each request brings its own buffers.
struct Transformer: @unchecked Sendable {
    let blas: BLAS
    let config: ModelConfig
    let weights: ModelWeights
    let positions: PositionalEncoding
    /// `hidden_size ** 0.5`: a Python double multiplied into float32 (csanmt-spec §1.10).
    let embeddingScale: Float
    /// `head_size ** -0.5`, applied to q before q·kᵀ.
    let queryScale: Float

    var hidden: Int { config.hiddenSize }
    var heads: Int { config.numHeads }
    var headSize: Int { config.headSize }

    init(blas: BLAS, config: ModelConfig, weights: ModelWeights) {
        self.blas = blas
        self.config = config
        self.weights = weights
        positions = PositionalEncoding(
            positions: max(config.maxSourceLength + 1, DecodingOptions.maxSteps + 1), dim: config.hiddenSize)
        embeddingScale = Float(Double(config.hiddenSize).squareRoot())
        queryScale = Float(1 / Double(config.headSize).squareRoot())
    }

    /// Applies the LN when it is a pre-norm model; otherwise copies (so callers can always read `out`).
    func preNorm(_ x: UnsafePointer<Float>, rows: Int, _ w: NormWeights, out: UnsafeMutablePointer<Float>) {
        if config.isPreNorm {
            Kernels.layerNorm(x, rows: rows, dim: hidden, w, out: out)
        } else {
            out.update(from: x, count: rows * hidden)
        }
    }

    /// Applies the LN in place when it is a post-norm model.
    func postNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, _ w: NormWeights) {
        if !config.isPreNorm { Kernels.layerNorm(x, rows: rows, dim: hidden, w, out: x) }
    }
}
