/// jieba's `finalseg` model: a 4-state (B, M, E, S) HMM over single characters with log-probabilities
/// (`prob_start`, `prob_trans`, `prob_emit`), used to segment runs of characters the dictionary cannot join.
public struct JiebaHMM: Sendable {
    /// A character's position in a word: Begin, Middle, End, or Single-character word.
    public enum State: Int, CaseIterable, Sendable, CustomStringConvertible {
        // Raw values are finalseg's iteration order 'BMES'.
        /// B: first character of a word of two or more.
        case begin = 0
        /// M: inner character of a word of three or more.
        case middle = 1
        /// E: last character of a word of two or more.
        case end = 2
        /// S: a one-character word.
        case single = 3

        /// The state's letter, as finalseg writes it.
        public var description: String {
            switch self {
            case .begin: return "B"
            case .middle: return "M"
            case .end: return "E"
            case .single: return "S"
            }
        }

        /// Rank of the state's letter, for Python's tie-break on `(prob, state)` tuples ('B' < 'E' < 'M' < 'S').
        var letterRank: Int {
            switch self {
            case .begin: return 0
            case .end: return 1
            case .middle: return 2
            case .single: return 3
            }
        }

        /// finalseg's `PrevStatus`: the states allowed before this one, in its order.
        var previous: (State, State) {
            switch self {
            case .begin: return (.end, .single)
            case .middle: return (.middle, .begin)
            case .single: return (.single, .end)
            case .end: return (.begin, .middle)
            }
        }
    }

    /// finalseg's `MIN_FLOAT` (-3.14e100), the log-probability of anything missing from the tables.
    public let minFloat: Double
    /// `start_P`, indexed by `State.rawValue`.
    let start: [Double]
    /// `trans_P[from][to]` at `from * 4 + to` (`minFloat` where jieba has no entry).
    let transition: [Double]
    /// `emit_P` for the code points U+4E00...U+9FD5 (the only ones finalseg labels): `(cp - 0x4E00) * 4 + state`.
    let hanEmission: [Double]
    /// `emit_P` entries for other code points (four values each, `minFloat` where missing).
    let otherEmission: [UInt32: [Double]]

    static let hanFirst: UInt32 = 0x4E00
    static let hanLast: UInt32 = 0x9FD5

    /// Builds the model from its tables; `emission[state]` lists `(codePoint, logProbability)` pairs.
    init(minFloat: Double, start: [Double], transition: [Double], emission: [[(UInt32, Double)]]) {
        self.minFloat = minFloat
        self.start = start
        self.transition = transition
        let hanCount = Int(Self.hanLast - Self.hanFirst) + 1
        var han = [Double](repeating: minFloat, count: hanCount * 4)
        var other: [UInt32: [Double]] = [:]
        for (state, pairs) in emission.enumerated() {
            for (cp, p) in pairs {
                if cp >= Self.hanFirst && cp <= Self.hanLast {
                    han[Int(cp - Self.hanFirst) * 4 + state] = p
                } else {
                    other[cp, default: [minFloat, minFloat, minFloat, minFloat]][state] = p
                }
            }
        }
        self.hanEmission = han
        self.otherEmission = other
    }

    /// `start_P[state]`.
    public func startLogProbability(_ state: State) -> Double { start[state.rawValue] }

    /// `trans_P[from].get(to, MIN_FLOAT)`.
    public func transitionLogProbability(from: State, to: State) -> Double {
        transition[from.rawValue * 4 + to.rawValue]
    }

    /// `emit_P[state].get(character, MIN_FLOAT)`.
    @inline(__always)
    public func emissionLogProbability(_ state: State, _ codePoint: UInt32) -> Double {
        if codePoint >= Self.hanFirst && codePoint <= Self.hanLast {
            return hanEmission[Int(codePoint - Self.hanFirst) * 4 + state.rawValue]
        }
        return otherEmission[codePoint]?[state.rawValue] ?? minFloat
    }
}
