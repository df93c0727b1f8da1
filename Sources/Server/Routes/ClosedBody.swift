/// A JSON object type that refuses fields it does not know: a misspelt field must fail loudly, not be ignored.
/// ``Request/decodeJSON(_:limit:)`` checks the top level of every body that adopts it; nested objects call
/// ``rejectUnknownFields(_:known:in:)`` from their own `init(from:)`.
protocol ClosedBody: Decodable {
    /// The JSON field names this type reads.
    static var fields: [String] { get }
}

/// Any JSON object key.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// 400 `bad_request` naming the first field of the object at `decoder` that is not in `known` (sorted, so the
/// answer is the same every time). Not an object: left to the type's own decoding, which names the mismatch.
func rejectUnknownFields(_ decoder: Decoder, known: [String], in object: String? = nil) throws {
    guard let c = try? decoder.container(keyedBy: AnyCodingKey.self) else { return }
    let knownSet = Set(known)
    if let unknown = c.allKeys.map(\.stringValue).sorted().first(where: { !knownSet.contains($0) }) {
        let place = object.map { " in '\($0)'" } ?? ""
        throw APIError.badRequest("unknown field '\(unknown)'\(place) (known: \(known.sorted().joined(separator: ", ")))")
    }
}
