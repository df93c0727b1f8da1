/// A stretch of a request's text: translated, or kept exactly as it is (markup, a placeholder, a URL, a term the
/// client asked to keep). The segments of a text join back into the text.
public enum TextSegment: Equatable, Sendable {
    /// Text the translator may replace.
    case text(String)
    /// Characters kept as they are.
    case kept(String)

    public var string: String {
        switch self {
        case .text(let s), .kept(let s): return s
        }
    }
}
