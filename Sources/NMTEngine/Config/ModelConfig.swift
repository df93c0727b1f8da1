import Foundation

/// The architecture and decoding defaults of a model folder (`config.json`). See docs/model-format.md.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// Format tag of the model folder; bumps when the layout changes incompatibly.
    public var format: String = ModelConfig.currentFormat
    public var sourceLanguage: String
    public var targetLanguage: String
    public var hiddenSize: Int
    public var filterSize: Int
    public var numHeads: Int
    public var numEncoderLayers: Int
    public var numDecoderLayers: Int
    public var numSemanticEncoderLayers: Int
    public var srcVocabSize: Int
    public var trgVocabSize: Int
    /// `"layer_norm"` for pre-norm, `"none"` for post-norm (ModelScope's `layer_preproc`).
    public var layerPreproc: String
    /// `"none"` for pre-norm, `"layer_norm"` for post-norm (ModelScope's `layer_postproc`).
    public var layerPostproc: String
    /// Clip distance of the semantic encoder's relative positions (16 in the released models).
    public var maxRelativeDis: Int
    /// Longest source the engine accepts, in subword tokens (without the appended `</s>`).
    public var maxSourceLength: Int
    public var decoding: DecodingDefaults
    /// Weight file name inside the folder.
    public var weights: String
    /// Tokenizer files copied from the ModelScope folder, relative to the model folder.
    public var tokenizer: TokenizerFiles

    public static let currentFormat = "csanmt-swift/1"

    /// Decoding defaults, as in ModelScope's `configuration.json`.
    public struct DecodingDefaults: Codable, Sendable, Equatable {
        public var beamSize: Int
        public var lengthPenalty: Float
        public var maxLength: Int
        public init(beamSize: Int = 4, lengthPenalty: Float = 0.6, maxLength: Int = 100) {
            self.beamSize = beamSize
            self.lengthPenalty = lengthPenalty
            self.maxLength = maxLength
        }
        enum CodingKeys: String, CodingKey {
            case beamSize = "beam_size", lengthPenalty = "length_penalty", maxLength = "max_length"
        }
    }

    /// Paths of the text-pipeline files. Any may be nil when the source folder lacked it.
    public struct TokenizerFiles: Codable, Sendable, Equatable {
        public var srcVocab: String?
        public var trgVocab: String?
        public var srcBPE: String?
        public var trgBPE: String?
        public init(srcVocab: String? = nil, trgVocab: String? = nil, srcBPE: String? = nil, trgBPE: String? = nil) {
            self.srcVocab = srcVocab
            self.trgVocab = trgVocab
            self.srcBPE = srcBPE
            self.trgBPE = trgBPE
        }
        enum CodingKeys: String, CodingKey {
            case srcVocab = "src_vocab", trgVocab = "trg_vocab", srcBPE = "src_bpe", trgBPE = "trg_bpe"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, decoding, weights, tokenizer
        case sourceLanguage = "source_language", targetLanguage = "target_language"
        case hiddenSize = "hidden_size", filterSize = "filter_size", numHeads = "num_heads"
        case numEncoderLayers = "num_encoder_layers", numDecoderLayers = "num_decoder_layers"
        case numSemanticEncoderLayers = "num_semantic_encoder_layers"
        case srcVocabSize = "src_vocab_size", trgVocabSize = "trg_vocab_size"
        case layerPreproc = "layer_preproc", layerPostproc = "layer_postproc"
        case maxRelativeDis = "max_relative_dis", maxSourceLength = "max_source_length"
    }

    public init(sourceLanguage: String, targetLanguage: String, hiddenSize: Int, filterSize: Int, numHeads: Int,
                numEncoderLayers: Int, numDecoderLayers: Int, numSemanticEncoderLayers: Int, srcVocabSize: Int,
                trgVocabSize: Int, layerPreproc: String, layerPostproc: String, maxRelativeDis: Int,
                maxSourceLength: Int = 256, decoding: DecodingDefaults = .init(),
                weights: String = "model.safetensors", tokenizer: TokenizerFiles = .init()) {
        self.sourceLanguage = sourceLanguage
        self.targetLanguage = targetLanguage
        self.hiddenSize = hiddenSize
        self.filterSize = filterSize
        self.numHeads = numHeads
        self.numEncoderLayers = numEncoderLayers
        self.numDecoderLayers = numDecoderLayers
        self.numSemanticEncoderLayers = numSemanticEncoderLayers
        self.srcVocabSize = srcVocabSize
        self.trgVocabSize = trgVocabSize
        self.layerPreproc = layerPreproc
        self.layerPostproc = layerPostproc
        self.maxRelativeDis = maxRelativeDis
        self.maxSourceLength = maxSourceLength
        self.decoding = decoding
        self.weights = weights
        self.tokenizer = tokenizer
    }

    /// True for pre-norm (the released zh2en model), false for post-norm.
    public var isPreNorm: Bool { layerPreproc == "layer_norm" }
    /// Size of one attention head.
    public var headSize: Int { hiddenSize / numHeads }
    /// Rows of the shared (source/target/softmax) embedding.
    public var vocabSize: Int { trgVocabSize }

    /// Throws ``EngineError/unsupportedConfig(_:)`` when the engine cannot run this architecture.
    public func validate() throws {
        func fail(_ msg: String) throws -> Never { throw EngineError.unsupportedConfig(msg) }
        if format != Self.currentFormat { try fail("format '\(format)' (this engine reads '\(Self.currentFormat)')") }
        for (name, v) in [("hidden_size", hiddenSize), ("filter_size", filterSize), ("num_heads", numHeads),
                          ("num_encoder_layers", numEncoderLayers), ("num_decoder_layers", numDecoderLayers),
                          ("num_semantic_encoder_layers", numSemanticEncoderLayers), ("src_vocab_size", srcVocabSize), ("trg_vocab_size", trgVocabSize),
                          ("max_source_length", maxSourceLength)] where v <= 0 {
            try fail("\(name) must be positive, got \(v)")
        }
        if hiddenSize % numHeads != 0 { try fail("hidden_size \(hiddenSize) is not divisible by num_heads \(numHeads)") }
        if hiddenSize < 4 { try fail("hidden_size must be at least 4 (sinusoidal positions)") }
        if maxRelativeDis < 0 { try fail("max_relative_dis must be ≥ 0") }
        switch (layerPreproc, layerPostproc) {
        case ("layer_norm", "none"), ("none", "layer_norm"): break
        default: try fail("layer_preproc '\(layerPreproc)' with layer_postproc '\(layerPostproc)' (supported: pre-norm layer_norm/none or post-norm none/layer_norm)")
        }
        if srcVocabSize != trgVocabSize {
            try fail("src_vocab_size \(srcVocabSize) ≠ trg_vocab_size \(trgVocabSize): the shared embedding needs equal sizes")
        }
        if decoding.beamSize < 1 || decoding.maxLength < 1 { try fail("decoding.beam_size and decoding.max_length must be ≥ 1") }
    }
}
