/// `x · W + b`, with W in float32 [in, out] row-major as in the checkpoint, or in int8 (``ComputeType/int8``).
struct LinearWeights {
    enum Matrix {
        case float32(UnsafePointer<Float>)   // [inDim, outDim]
        case int8(Int8Matrix)                // [outDim, inDim] with one scale per output
    }
    let matrix: Matrix
    let b: UnsafePointer<Float>   // [outDim]
    let inDim: Int
    let outDim: Int

    init(w: UnsafePointer<Float>, b: UnsafePointer<Float>, inDim: Int, outDim: Int) {
        self.init(matrix: .float32(w), b: b, inDim: inDim, outDim: outDim)
    }

    init(matrix: Matrix, b: UnsafePointer<Float>, inDim: Int, outDim: Int) {
        self.matrix = matrix
        self.b = b
        self.inDim = inDim
        self.outDim = outDim
    }
}

/// An embedding table [rows, H]: float32, or int8 rows with one scale each (``ComputeType/int8``).
enum EmbeddingTable {
    case float32(UnsafePointer<Float>)
    case int8(Int8Matrix)

    /// out[0..<h] = E[id] · factor.
    @inline(__always)
    func row(_ id: Int, times factor: Float, hidden h: Int, into out: UnsafeMutablePointer<Float>) {
        switch self {
        case let .float32(e):
            let r = e + id * h
            for i in 0..<h { out[i] = r[i] * factor }
        case let .int8(q):
            let r = q.values + id * h, s = q.scales[id] * factor
            for i in 0..<h { out[i] = Float(r[i]) * s }
        }
    }
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
    let embedding: EmbeddingTable                // [V, H], shared source/target/softmax
    let semanticEmbedding: EmbeddingTable        // [V_src, H]
    let encoderInputBias: UnsafePointer<Float>   // [H]
    let encoderLayers: [EncoderLayerWeights]
    let encoderFinalNorm: NormWeights?           // pre-norm only
    let semanticLayers: [EncoderLayerWeights]
    let semanticPooling: LinearWeights
    let semanticFinalNorm: NormWeights?          // pre-norm only
    let decoderLayers: [DecoderLayerWeights]
    let decoderFinalNorm: NormWeights?           // pre-norm only

    /// Binds every tensor of ``CheckpointLayout`` after checking its shape. With an `int8Kernel`, every linear
    /// matrix and both embeddings are int8 (read from an int8 file, or quantized here from float ones), and the
    /// matrices and the tied output projection are packed for the kernel.
    init(file: SafeTensorsFile, config: ModelConfig, int8Kernel: OneDNN? = nil) throws {
        let specs = CheckpointLayout.tensors(for: config)
        for spec in specs { try Self.check(spec, in: file, int8: int8Kernel != nil) }
        var table: [String: UnsafePointer<Float>] = [:]
        // Float tensors are bound on first use, so a matrix that becomes int8 is never widened to float32.
        func t(_ name: String) throws -> UnsafePointer<Float> {
            if let p = table[name] { return p }
            guard let p = try file.floats(name).baseAddress else {
                throw EngineError.weight(name: name, reason: "empty tensor in \(file.path)")
            }
            table[name] = p
            return p
        }
        let shapes = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0.shape) })
        /// The tensor `name` as int8, packed for the kernel when it is multiplied.
        func int8(_ name: String, pack: Bool, keepPlain: Bool) throws -> Int8Matrix {
            let q = try Int8Matrix(file: file, name: name, checkpointShape: shapes[name] ?? [])
            if let kernel = int8Kernel, pack { try q.pack(with: kernel) }
            if !keepPlain { q.dropPlainValues() }
            file.release(name)
            return q
        }
        let h = config.hiddenSize, f = config.filterSize
        func norm(_ s: String) throws -> NormWeights {
            NormWeights(scale: try t(s + "/layer_norm_scale"), offset: try t(s + "/layer_norm_offset"))
        }
        func linear(_ s: String, _ i: Int, _ o: Int) throws -> LinearWeights {
            let matrix: LinearWeights.Matrix = int8Kernel == nil
                ? .float32(try t(s + "/matrix")) : .int8(try int8(s + "/matrix", pack: true, keepPlain: false))
            return LinearWeights(matrix: matrix, b: try t(s + "/bias"), inDim: i, outDim: o)
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
        if int8Kernel == nil {
            embedding = .float32(try t(CheckpointLayout.sharedEmbedding))
            semanticEmbedding = .float32(try t(CheckpointLayout.semanticEmbedding))
        } else {
            // The shared embedding is also the output projection: packed for products, plain for row lookups.
            embedding = .int8(try int8(CheckpointLayout.sharedEmbedding, pack: true, keepPlain: true))
            semanticEmbedding = .int8(try int8(CheckpointLayout.semanticEmbedding, pack: false, keepPlain: true))
        }
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
    }

    /// Checks that `spec` is in `file` with its shape, and that an I8 tensor is quantized in the documented
    /// layout (``QuantizedLayout``) and loaded for int8 compute.
    private static func check(_ spec: TensorSpec, in file: SafeTensorsFile, int8: Bool) throws {
        func fail(_ reason: String) -> EngineError { .weight(name: spec.name, reason: reason) }
        guard let entry = file.entries[spec.name] else { throw fail("missing from \(file.path)") }
        guard entry.dtype == .i8 else {
            guard entry.shape == spec.shape else {
                throw fail("shape \(entry.shape) in \(file.path), config expects \(spec.shape)")
            }
            return
        }
        guard QuantizedLayout.isQuantized(spec.name) else { throw fail("is I8 in \(file.path), but only matrices and embeddings may be") }
        guard int8 else {
            throw fail("is stored as int8 in \(file.path): load this model with int8 compute (--compute int8)")
        }
        let stored = QuantizedLayout.storedShape(spec.name, spec.shape)
        guard entry.shape == stored else { throw fail("I8 shape \(entry.shape) in \(file.path), expected \(stored)") }
        let scaleName = spec.name + QuantizedLayout.scaleSuffix
        guard let scale = file.entries[scaleName] else { throw fail("has no scale tensor '\(scaleName)' in \(file.path)") }
        guard scale.dtype == .f32, scale.shape == [stored[0]] else {
            throw fail("scale tensor '\(scaleName)' is \(scale.dtype.rawValue) \(scale.shape) in \(file.path), expected F32 [\(stored[0])]")
        }
    }
}

extension Int8Matrix {
    /// The tensor `name` of `file` as int8: copied from an I8 tensor and its scales, or quantized from an F32/F16
    /// one (element by element: no float32 copy of the whole matrix is made). `checkpointShape` is the tensor's
    /// shape in the checkpoint ([in, out] for a matrix, [V, H] for an embedding).
    convenience init(file: SafeTensorsFile, name: String, checkpointShape shape: [Int]) throws {
        let stored = QuantizedLayout.storedShape(name, shape)
        guard stored.count == 2 else { throw EngineError.weight(name: name, reason: "is not a matrix") }
        if file.entries[name]?.dtype == .i8 {
            self.init(values: try file.int8s(name), scales: try file.floats(name + QuantizedLayout.scaleSuffix),
                      outputs: stored[0], inputs: stored[1])
            guard scalesAreValid else {
                throw EngineError.weight(name: name, reason: "has a scale that is not a finite positive number in \(file.path)")
            }
        } else {
            let element = try file.elementReader(name)
            self.init(outputs: stored[0], inputs: stored[1]) { n, k in
                QuantizedLayout.storedElement(name, shape, row: n, col: k, element)
            }
            guard scalesAreValid else {
                throw EngineError.weight(name: name, reason: "holds NaN or infinity in \(file.path); it cannot be quantized")
            }
        }
    }
}
