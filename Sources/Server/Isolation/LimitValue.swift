/// A limit that can be lifted: a positive number, or `"unlimited"` in JSON.
public enum LimitValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case unlimited
    case value(Int)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            guard text == "unlimited" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "a limit is a number ≥ 1 or \"unlimited\", not '\(text)'")
            }
            self = .unlimited
        } else {
            self = .value(try c.decode(Int.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .unlimited: try c.encode("unlimited")
        case .value(let n): try c.encode(n)
        }
    }

    /// nil when unlimited.
    public var number: Int? {
        if case .value(let n) = self { return n }
        return nil
    }

    public var description: String { number.map(String.init) ?? "unlimited" }

    /// Parses `"unlimited"` or a whole number (CLI flags).
    public init?(text: String) {
        if text == "unlimited" { self = .unlimited } else if let n = Int(text) { self = .value(n) } else { return nil }
    }
}
