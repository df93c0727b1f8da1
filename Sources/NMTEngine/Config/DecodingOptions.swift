/// Per-request decoding options. `nil` fields fall back to the model's `config.json` defaults.
public struct DecodingOptions: Sendable, Equatable {
    /// Beam width (ModelScope default 4). Beam 1 keeps ModelScope's semantics: 2 candidates per step.
    public var beamSize: Int?
    /// GNMT length-penalty exponent α in ((5+n)/6)^α (default 0.6).
    public var lengthPenalty: Float?
    /// Fixed number of target steps (default 100), independent of the source length, as in ModelScope.
    public var maxLength: Int?
    /// Longer step budgets for longer sources (nil: the fixed `maxLength`, as in ModelScope).
    public var lengthScaling: LengthScaling?
    /// When a sentence of a batch stops decoding (default `.eachSentence`).
    public var stopping: Stopping

    /// A step budget that grows with the source: each sentence gets `max(maxLength, ratio × source tokens + extra)`
    /// steps (at most ``DecodingOptions/maxSteps``), so a long source is not cut at a fixed 100 steps. A sentence
    /// whose budget is `maxLength` decodes exactly as with the fixed budget: beams and scores are unchanged (the
    /// budget enters ModelScope's stopping bound, so only longer sources can differ, and they would have been cut).
    public struct LengthScaling: Sendable, Equatable {
        public var ratio: Double
        public var extra: Int
        public init(ratio: Double, extra: Int) {
            self.ratio = ratio
            self.extra = extra
        }

        /// The budget of a source of `tokens` ids.
        func steps(sourceTokens tokens: Int, atLeast minimum: Int) -> Int {
            let scaled = (ratio * Double(tokens)).rounded(.up) + Double(extra)
            return min(DecodingOptions.maxSteps, max(minimum, scaled.isFinite ? Int(min(scaled, 1e9)) : minimum))
        }
    }

    /// When the beam search stops, for a batch of several sentences.
    ///
    /// ModelScope stops a batch when *every* sentence meets its bound (the worst finished score beats the best
    /// score any alive beam could still reach). After a sentence meets its bound its best hypothesis can no longer
    /// change, but a hypothesis below it can still be replaced while the rest of the batch runs on, so TF's lower
    /// beams depend on which other sentences shared the batch.
    public enum Stopping: Sendable, Equatable {
        /// A sentence leaves the batch as soon as it meets its own bound, and the rest decode with fewer rows.
        /// The best hypothesis is ModelScope's; the whole list equals ModelScope's for that sentence decoded alone,
        /// whatever else is in the batch (scores up to float rounding: matrix products of other shapes round
        /// differently). Faster: long sentences no longer make the short ones run on.
        case eachSentence
        /// ModelScope's batch-global stop: every hypothesis of every sentence as TF returns it for this batch.
        case wholeBatch
    }

    public init(beamSize: Int? = nil, lengthPenalty: Float? = nil, maxLength: Int? = nil,
                lengthScaling: LengthScaling? = nil, stopping: Stopping = .eachSentence) {
        self.beamSize = beamSize
        self.lengthPenalty = lengthPenalty
        self.maxLength = maxLength
        self.lengthScaling = lengthScaling
        self.stopping = stopping
    }

    /// Largest beam the engine accepts.
    public static let maxBeamSize = 64
    /// Largest number of decoding steps the engine accepts.
    public static let maxSteps = 1024

    struct Resolved {
        let beamSize: Int
        let lengthPenalty: Float
        let maxLength: Int
        let lengthScaling: LengthScaling?
        let stopping: Stopping

        /// Each source's step budget. Under `.wholeBatch` every sentence gets the batch's largest (one stopping
        /// bound for the batch, as in ModelScope).
        func steps(_ sources: [[Int32]]) -> [Int] {
            guard let lengthScaling else { return sources.map { _ in maxLength } }
            let each = sources.map { lengthScaling.steps(sourceTokens: $0.count, atLeast: maxLength) }
            return stopping == .wholeBatch ? each.map { _ in each.max() ?? maxLength } : each
        }
    }

    func resolved(with defaults: ModelConfig.DecodingDefaults) throws -> Resolved {
        let beam = beamSize ?? defaults.beamSize
        let maxLen = maxLength ?? defaults.maxLength
        guard (1...Self.maxBeamSize).contains(beam) else {
            throw EngineError.invalidInput("beam size \(beam) is outside 1...\(Self.maxBeamSize)")
        }
        guard (1...Self.maxSteps).contains(maxLen) else {
            throw EngineError.invalidInput("max length \(maxLen) is outside 1...\(Self.maxSteps)")
        }
        let alpha = lengthPenalty ?? defaults.lengthPenalty
        guard alpha.isFinite, alpha >= 0 else { throw EngineError.invalidInput("length penalty \(alpha) must be ≥ 0") }
        if let s = lengthScaling, !(s.ratio.isFinite && s.ratio >= 0 && s.extra >= 0) {
            throw EngineError.invalidInput("length scaling needs a finite ratio ≥ 0 and extra ≥ 0")
        }
        return Resolved(beamSize: beam, lengthPenalty: alpha, maxLength: maxLen, lengthScaling: lengthScaling, stopping: stopping)
    }
}
