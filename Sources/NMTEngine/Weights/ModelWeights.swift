/// `x · W + b` with W stored [in, out] row-major, as in the checkpoint.
struct LinearWeights {
    let w: UnsafePointer<Float>   // [inDim, outDim]
    let b: UnsafePointer<Float>   // [outDim]
    let inDim: Int
    let outDim: Int
    /// The same matrix in int8, when the model computes in int8 (``ComputeType/int8``); products then use it.
    var int8: Int8Matrix? = nil
}

/// LayerNorm scale and offset, [dim] each.
struct NormWeights {
    let scale: UnsafePointer<Float>
    let offset: UnsafePointer<Float>
}

/// Two linears with a ReLU between them.
struct FFNWeights {
    let input: LinearWeights
    let output: LinearWeights
}

/// Self-attention with fused q|k|v projection; `rprK`/`rprV` ([2R+1, dh]) only in the semantic encoder.
struct SelfAttentionWeights {
    let qkv: LinearWeights        // [H, 3H]: q = cols 0..<H, k = H..<2H, v = 2H..<3H
    let output: LinearWeights     // [H, H]
    let rprK: UnsafePointer<Float>?
    let rprV: UnsafePointer<Float>?
}

/// Encoder-decoder attention: q from the decoder, fused k|v from the encoder output.
struct CrossAttentionWeights {
    let q: LinearWeights          // [H, H]
    let kv: LinearWeights         // [H, 2H]: k = cols 0..<H, v = H..<2H
    let output: LinearWeights
}

/// One encoder (or semantic-encoder) layer. `norm0`/`norm1` are checkpoint LNs `layer_norm`/`layer_norm_1`:
/// applied before the sublayer in pre-norm models, after the residual add in post-norm ones.
struct EncoderLayerWeights {
    let norm0: NormWeights
    let attention: SelfAttentionWeights
    let norm1: NormWeights
    let ffn: FFNWeights
}

/// One decoder layer. `normAug` is `layer_norm`: on the semantic vector (pre-norm) or after the augmentation add
/// (post-norm). `normSelf`, `normCross`, `normFFN` are `layer_norm_1..3`.
struct DecoderLayerWeights {
    let normAug: NormWeights
    let augmentation: FFNWeights
    let normSelf: NormWeights
    let selfAttention: SelfAttentionWeights
    let normCross: NormWeights
    let crossAttention: CrossAttentionWeights
    let normFFN: NormWeights
    let ffn: FFNWeights
}

/// All inference weights, as typed views into a ``SafeTensorsFile`` (which must outlive this value).
struct ModelWeights {
    let embedding: UnsafePointer<Float>          // [V, H], shared source/target/softmax
    let semanticEmbedding: UnsafePointer<Float>  // [V_src, H]
    let encoderInputBias: UnsafePointer<Float>   // [H]
    let encoderLayers: [EncoderLayerWeights]
    let encoderFinalNorm: NormWeights?           // pre-norm only
    let semanticLayers: [EncoderLayerWeights]
    let semanticPooling: LinearWeights
    let semanticFinalNorm: NormWeights?          // pre-norm only
    let decoderLayers: [DecoderLayerWeights]
    let decoderFinalNorm: NormWeights?           // pre-norm only
    /// The tied output projection (the embedding [V, H]) quantized per vocabulary row, for int8 compute.
    let outputProjectionInt8: Int8Matrix?

    /// Binds every tensor of ``CheckpointLayout`` after checking its shape. With an `int8Kernel`, every linear
    /// matrix and the output projection are also quantized (``Int8Matrix``) and packed for it.
    init(file: SafeTensorsFile, config: ModelConfig, int8Kernel: OneDNN? = nil) throws {
        var table: [String: UnsafePointer<Float>] = [:]
        for spec in CheckpointLayout.tensors(for: config) {
            guard let entry = file.entries[spec.name] else {
                throw EngineError.weight(name: spec.name, reason: "missing from \(file.path)")
            }
            guard entry.shape == spec.shape else {
                throw EngineError.weight(name: spec.name, reason: "shape \(entry.shape) in \(file.path), config expects \(spec.shape)")
            }
            guard let base = try file.floats(spec.name).baseAddress else {
                throw EngineError.weight(name: spec.name, reason: "empty tensor in \(file.path)")
            }
            table[spec.name] = base
        }
        // Every name was bound above, so lookups below cannot fail; `t` keeps them total anyway.
        func t(_ name: String) throws -> UnsafePointer<Float> {
            guard let p = table[name] else { throw EngineError.weight(name: name, reason: "missing from \(file.path)") }
            return p
        }
        let h = config.hiddenSize, f = config.filterSize
        func norm(_ s: String) throws -> NormWeights {
            NormWeights(scale: try t(s + "/layer_norm_scale"), offset: try t(s + "/layer_norm_offset"))
        }
        func linear(_ s: String, _ i: Int, _ o: Int) throws -> LinearWeights {
            var l = LinearWeights(w: try t(s + "/matrix"), b: try t(s + "/bias"), inDim: i, outDim: o)
            if let kernel = int8Kernel {
                let q = Int8Matrix(inputMajor: l.w, inputs: i, outputs: o)
                try q.pack(with: kernel)
                l.int8 = q
            }
            return l
        }
        func ffn(_ s: String, hidden: Int) throws -> FFNWeights {
            FFNWeights(input: try linear(s + "/input_layer/linear", h, hidden),
                       output: try linear(s + "/output_layer/linear", hidden, h))
        }
        func encoderLayer(_ s: String, relative: Bool) throws -> EncoderLayerWeights {
            let a = s + "/encoder_self_attention"
            return EncoderLayerWeights(
                norm0: try norm(s + "/layer_norm"),
                attention: SelfAttentionWeights(
                    qkv: try linear(a + "/qkv_transform", h, 3 * h), output: try linear(a + "/output_transform", h, h),
                    rprK: relative ? try t(a + "/rpr_k") : nil, rprV: relative ? try t(a + "/rpr_v") : nil),
                norm1: try norm(s + "/layer_norm_1"), ffn: try ffn(s + "/ffn_layer", hidden: f))
        }
        let pre = config.isPreNorm
        embedding = try t(CheckpointLayout.sharedEmbedding)
        semanticEmbedding = try t(CheckpointLayout.semanticEmbedding)
        encoderInputBias = try t(CheckpointLayout.encoderInputBias)
        encoderLayers = try (0..<config.numEncoderLayers).map { try encoderLayer(CheckpointLayout.encoderLayer($0), relative: false) }
        encoderFinalNorm = pre ? try norm(CheckpointLayout.encoderFinalNorm) : nil
        semanticLayers = try (0..<config.numSemanticEncoderLayers).map {
            try encoderLayer(CheckpointLayout.semanticLayer($0), relative: true)
        }
        semanticPooling = try linear(CheckpointLayout.semanticPooling, h, h)
        semanticFinalNorm = pre ? try norm(CheckpointLayout.semanticFinalNorm) : nil
        decoderLayers = try (0..<config.numDecoderLayers).map { i in
            let s = CheckpointLayout.decoderLayer(i)
            return DecoderLayerWeights(
                normAug: try norm(s + "/layer_norm"), augmentation: try ffn(s + "/embedding_augmentation_layer", hidden: h),
                normSelf: try norm(s + "/layer_norm_1"),
                selfAttention: SelfAttentionWeights(
                    qkv: try linear(s + "/decoder_self_attention/qkv_transform", h, 3 * h),
                    output: try linear(s + "/decoder_self_attention/output_transform", h, h), rprK: nil, rprV: nil),
                normCross: try norm(s + "/layer_norm_2"),
                crossAttention: CrossAttentionWeights(
                    q: try linear(s + "/encdec_attention/q_transform", h, h),
                    kv: try linear(s + "/encdec_attention/kv_transform", h, 2 * h),
                    output: try linear(s + "/encdec_attention/output_transform", h, h)),
                normFFN: try norm(s + "/layer_norm_3"), ffn: try ffn(s + "/ffn_layer", hidden: f))
        }
        decoderFinalNorm = pre ? try norm(CheckpointLayout.decoderFinalNorm) : nil
        if let kernel = int8Kernel {
            let q = Int8Matrix(outputMajor: embedding, outputs: config.vocabSize, inputs: h)
            try q.pack(with: kernel)
            outputProjectionInt8 = q
        } else {
            outputProjectionInt8 = nil
        }
    }
}
