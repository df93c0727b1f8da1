import Foundation

/// A loaded CSANMT model: ids in, beams out. The engine never sees text; see the Tokenizer module for that.
///
/// Thread-safe: weights are immutable and memory-mapped; each call allocates its own buffers (once per call,
/// never per token), so several threads may translate concurrently.
public final class CSANMTModel: @unchecked Sendable {
    /// The model folder's `config.json`.
    public let config: ModelConfig
    /// The folder the model was loaded from.
    public let directory: URL
    /// The BLAS library and kernel in use.
    public let blasLibrary: OpenBLAS
    private let file: SafeTensorsFile   // owns the mapped weights that `model` points into
    private let model: Transformer

    /// The arithmetic the products run in.
    public let compute: ComputeType
    /// oneDNN, when ``compute`` is ``ComputeType/int8``.
    public let int8Kernel: OneDNN?
    /// The vocabulary shortlist every `translate` call uses, if any (see ``VocabularyShortlist``).
    public let shortlist: VocabularyShortlist?

    /// Loads `directory/config.json` and its weights. Errors name the file or tensor at fault.
    /// `compute` nil means the weights' own type: int8 for a folder converted with `--storage int8`, else float32.
    /// `.int8` on float weights quantizes them at load (see ``ComputeType/int8``); `.float32` on int8 weights
    /// is refused (the float values are gone).
    public init(directory: URL, compute: ComputeType? = nil, shortlist: VocabularyShortlist? = nil) throws {
        self.directory = directory
        self.shortlist = shortlist
        config = try ModelConfig.load(directory: directory)
        file = try SafeTensorsFile(path: directory.appendingPathComponent(config.weights).path)
        let compute = compute ?? (file.entries.values.contains { $0.dtype == .i8 } ? .int8 : .float32)
        self.compute = compute
        blasLibrary = try OpenBLAS.shared()
        int8Kernel = compute == .int8 ? try OneDNN.shared() : nil
        let weights = try ModelWeights(file: file, config: config, int8Kernel: int8Kernel)
        model = Transformer(blas: BLAS(lib: blasLibrary), config: config, weights: weights)   // int8 matrices carry their kernel
    }

    /// The compute type and the kernel behind it, e.g. `float32 (OpenBLAS SkylakeX)` or
    /// `int8 (oneDNN brg:avx512_core_vnni)`.
    public var computeDescription: String {
        switch compute {
        case .float32: return "float32 (OpenBLAS \(blasLibrary.coreName))"
        case .int8: return "int8 (oneDNN \(int8Kernel?.implementation ?? "unavailable"))"
        }
    }

    /// Upper bound on the decoding buffers of one `translate` call.
    public static let maxWorkspaceBytes = 4 << 30

    /// Number of parameters in the inference tensors.
    public var parameterCount: Int { CheckpointLayout.tensors(for: config).reduce(0) { $0 + $1.elementCount } }

    /// Translates a batch of source id sequences (no `</s>`: the model appends it) in one batched beam search.
    /// Returns, per source, `beamSize` hypotheses, best first, exactly as ModelScope's beam search returns them
    /// (for the batch as given with `stopping: .wholeBatch`, for each sentence alone with the default
    /// `.eachSentence`, up to float rounding; the best hypothesis is the same either way).
    /// An empty batch returns an empty array.
    public func translate(_ sources: [[Int32]], options: DecodingOptions = .init()) throws -> [[Hypothesis]] {
        guard !sources.isEmpty else { return [] }
        try validate(sources)
        let opts = try options.resolved(with: config.decoding)
        // Per-call buffers grow with batch × beam (log-probs over the vocabulary, caches over max length).
        let rows = sources.count * opts.beamSize
        let steps = opts.steps(sources)                 // each sentence's step budget
        let capacity = steps.max() ?? opts.maxLength    // the buffers' length: the largest budget
        let bytes = 4 * rows * (config.vocabSize + 4 * capacity * config.hiddenSize * config.numDecoderLayers)
        guard bytes <= Self.maxWorkspaceBytes else {
            throw EngineError.invalidInput(
                "\(sources.count) sources × beam \(opts.beamSize) need \(bytes >> 20) MiB of decoding buffers (limit \(Self.maxWorkspaceBytes >> 20) MiB); translate in smaller batches")
        }
        let failuresBefore = int8Kernel?.failures.count ?? 0
        let batch = SourceBatch(sources)
        let encoded = model.encode(batch)
        let r = model.semanticVector(batch)
        let output = shortlist.map {
            OutputVocabulary(ids: $0.targets(for: sources, vocabSize: config.vocabSize),
                             embedding: model.weights.embedding, hidden: config.hiddenSize)
        }
        let state = DecoderState(model: model, encoder: encoded, semantic: r, rowsPerSentence: opts.beamSize,
                                 capacity: capacity, output: output)
        let search = BeamSearch(beam: opts.beamSize, alpha: opts.lengthPenalty, maxLength: capacity, sentenceSteps: steps,
                                vocab: output?.count ?? config.vocabSize, stopping: opts.stopping)
        var result = search.run(state) { t, previous in model.decoderStep(state, t: t, previous: previous) }
        if let output {   // shortlist indices → target ids
            result = result.map { $0.map { Hypothesis(tokens: $0.tokens.map { output.ids[Int($0)] }, score: $0.score,
                                                      finished: $0.finished) } }
        }
        // An int8 product that failed (oneDNN out of memory) wrote zeros: this call's result cannot be trusted.
        // (A call running at the same moment fails too; the count is process-wide.)
        if let kernel = int8Kernel, case let f = kernel.failures, f.count > failuresBefore {
            throw EngineError.int8Unavailable("an int8 product failed during this call: \(f.last.map { "\($0)" } ?? "unknown")")
        }
        return result
    }

    /// Intermediate tensors for numerical checks against ModelScope (tests, `csanmt` debugging).
    public struct Probe: Sendable {
        /// Main encoder output, [B, S+1, H] flattened.
        public let encoderOutput: [Float]
        /// Semantic vector r, [B, H] flattened.
        public let semanticVector: [Float]
        /// Teacher-forced log-probabilities, [B, T, V] flattened (empty without targets).
        public let teacherForcedLogProbs: [Float]
    }

    /// Runs the encoders and, given `targets` (one per source, equal lengths), the decoder teacher-forced: the
    /// input at step t is target t-1 (zero vector at t = 0), exactly as the incremental decoder sees it.
    public func probe(_ sources: [[Int32]], targets: [[Int32]] = []) throws -> Probe {
        guard !sources.isEmpty else { return Probe(encoderOutput: [], semanticVector: [], teacherForcedLogProbs: []) }
        try validate(sources)
        let steps = targets.first?.count ?? 0
        if !targets.isEmpty {
            guard targets.count == sources.count, targets.allSatisfy({ $0.count == steps }) else {
                throw EngineError.invalidInput("need one target per source, all of equal length")
            }
            guard steps <= DecodingOptions.maxSteps,
                  targets.allSatisfy({ $0.allSatisfy { $0 >= 0 && Int($0) < config.trgVocabSize } }) else {
                throw EngineError.invalidInput("target ids must be in 0..<\(config.trgVocabSize), at most \(DecodingOptions.maxSteps) steps")
            }
        }
        let batch = SourceBatch(sources)
        let encoded = model.encode(batch)
        let r = model.semanticVector(batch)
        var logProbs: [Float] = []
        if steps > 0 {
            let state = DecoderState(model: model, encoder: encoded, semantic: r, rowsPerSentence: 1, capacity: steps)
            let v = config.vocabSize, b = sources.count
            logProbs = [Float](repeating: 0, count: b * steps * v)
            var previous = [Int32](repeating: 0, count: b)
            for t in 0..<steps {
                for i in 0..<b { previous[i] = t == 0 ? 0 : targets[i][t - 1] }
                model.decoderStep(state, t: t, previous: previous)
                for i in 0..<b {
                    for j in 0..<v { logProbs[(i * steps + t) * v + j] = state.logProbs.p[i * v + j] }
                }
            }
        }
        return Probe(encoderOutput: encoded.states.array, semanticVector: r.array, teacherForcedLogProbs: logProbs)
    }

    private func validate(_ sources: [[Int32]]) throws {
        let limit = config.maxSourceLength, v = config.srcVocabSize
        for (i, s) in sources.enumerated() {
            guard s.count <= limit else {
                throw EngineError.invalidInput("source \(i + 1) has \(s.count) tokens; the model's limit is \(limit)")
            }
            if let bad = s.first(where: { $0 < 1 || Int($0) >= v }) {
                throw EngineError.invalidInput(
                    "source \(i + 1) contains id \(bad); ids must be in 1..<\(v) (0 is </s> and is appended by the model)")
            }
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "missing key '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx),
             let DecodingError.dataCorrupted(ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? ctx.debugDescription : "\(path): \(ctx.debugDescription)"
        default: return "\(error)"
        }
    }
}
