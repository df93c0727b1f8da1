/// A named tensor with its expected shape.
public struct TensorSpec: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The inference tensors of a CSANMT model, by ModelScope's checkpoint names.
///
/// The model folder keeps these names unchanged, so a shipped `model.safetensors` maps back to a ModelScope
/// checkpoint one to one. The `layer_norm`, `layer_norm_1`, … suffixes are TF's creation-order names: their role
/// differs between pre-norm and post-norm (csanmt-spec §4); ``ModelWeights`` assigns the roles.
public enum CheckpointLayout {
    public static let sharedEmbedding = "NmtModel/Shared_Embedding/Weights"
    public static let semanticEmbedding = "NmtModel/Shared_Semantic_Embedding/Weights"
    public static let encoderInputBias = "NmtModel/encoder_input_bias"

    static func encoderLayer(_ i: Int) -> String { "NmtModel/encoder/layer_\(i)" }
    static func semanticLayer(_ i: Int) -> String { "NmtModel/mini_xlm_encoder/layer_\(i)" }
    static func decoderLayer(_ i: Int) -> String { "NmtModel/decoder/layer_\(i)" }
    static let encoderFinalNorm = "NmtModel/encoder/layer_norm"
    static let semanticFinalNorm = "NmtModel/mini_xlm_encoder/layer_norm"
    static let semanticPooling = "NmtModel/mini_xlm_encoder/pooling_layer/linear"
    static let decoderFinalNorm = "NmtModel/decoder/layer_norm"

    /// Every tensor inference needs, in a stable order, with shapes derived from `config`.
    public static func tensors(for config: ModelConfig) -> [TensorSpec] {
        let h = config.hiddenSize, f = config.filterSize, v = config.vocabSize
        var out: [TensorSpec] = []
        func add(_ name: String, _ shape: [Int]) { out.append(TensorSpec(name: name, shape: shape)) }
        func norm(_ scope: String) {
            add(scope + "/layer_norm_scale", [h])
            add(scope + "/layer_norm_offset", [h])
        }
        func linear(_ scope: String, _ inDim: Int, _ outDim: Int) {
            add(scope + "/matrix", [inDim, outDim])
            add(scope + "/bias", [outDim])
        }
        func ffn(_ scope: String, hidden: Int) {
            linear(scope + "/input_layer/linear", h, hidden)
            linear(scope + "/output_layer/linear", hidden, h)
        }
        func encoderStyleLayer(_ scope: String, relative: Bool) {
            norm(scope + "/layer_norm")
            linear(scope + "/encoder_self_attention/qkv_transform", h, 3 * h)
            linear(scope + "/encoder_self_attention/output_transform", h, h)
            if relative {
                add(scope + "/encoder_self_attention/rpr_k", [2 * config.maxRelativeDis + 1, config.headSize])
                add(scope + "/encoder_self_attention/rpr_v", [2 * config.maxRelativeDis + 1, config.headSize])
            }
            norm(scope + "/layer_norm_1")
            ffn(scope + "/ffn_layer", hidden: f)
        }

        add(sharedEmbedding, [v, h])
        add(encoderInputBias, [h])
        for i in 0..<config.numEncoderLayers { encoderStyleLayer(encoderLayer(i), relative: false) }
        if config.isPreNorm { norm(encoderFinalNorm) }

        add(semanticEmbedding, [config.srcVocabSize, h])
        for i in 0..<config.numSemanticEncoderLayers { encoderStyleLayer(semanticLayer(i), relative: true) }
        linear(semanticPooling, h, h)
        if config.isPreNorm { norm(semanticFinalNorm) }

        for i in 0..<config.numDecoderLayers {
            let s = decoderLayer(i)
            norm(s + "/layer_norm")
            ffn(s + "/embedding_augmentation_layer", hidden: h)
            norm(s + "/layer_norm_1")
            linear(s + "/decoder_self_attention/qkv_transform", h, 3 * h)
            linear(s + "/decoder_self_attention/output_transform", h, h)
            norm(s + "/layer_norm_2")
            linear(s + "/encdec_attention/q_transform", h, h)
            linear(s + "/encdec_attention/kv_transform", h, 2 * h)
            linear(s + "/encdec_attention/output_transform", h, h)
            norm(s + "/layer_norm_3")
            ffn(s + "/ffn_layer", hidden: f)
        }
        if config.isPreNorm { norm(decoderFinalNorm) }
        return out
    }
}
