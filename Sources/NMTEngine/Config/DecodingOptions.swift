/// Per-request decoding options. `nil` fields fall back to the model's `config.json` defaults.
public struct DecodingOptions: Sendable, Equatable {
    /// Beam width (ModelScope default 4). Beam 1 keeps ModelScope's semantics: 2 candidates per step.
    public var beamSize: Int?
    /// GNMT length-penalty exponent α in ((5+n)/6)^α (default 0.6).
    public var lengthPenalty: Float?
    /// Fixed number of target steps (default 100), independent of the source length, as in ModelScope.
    public var maxLength: Int?

    public init(beamSize: Int? = nil, lengthPenalty: Float? = nil, maxLength: Int? = nil) {
        self.beamSize = beamSize
        self.lengthPenalty = lengthPenalty
        self.maxLength = maxLength
    }

    /// Largest beam the engine accepts.
    public static let maxBeamSize = 64
    /// Largest number of decoding steps the engine accepts.
    public static let maxSteps = 1024

    struct Resolved {
        let beamSize: Int
        let lengthPenalty: Float
        let maxLength: Int
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
        return Resolved(beamSize: beam, lengthPenalty: alpha, maxLength: maxLen)
    }
}
