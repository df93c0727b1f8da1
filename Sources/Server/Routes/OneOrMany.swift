/// An answer's field in the shape of the request's: one value for one text, a list for a list.
enum OneOrMany<Element: Encodable & Sendable>: Encodable, Sendable {
    case one(Element)
    case many([Element])

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .one(let e): try c.encode(e)
        case .many(let e): try c.encode(e)
        }
    }
}
