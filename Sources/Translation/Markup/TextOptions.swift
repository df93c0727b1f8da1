/// How a request's texts are to be read.
public struct TextOptions: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// Plain text (placeholders, URLs, e-mail addresses and `keep` terms are still kept).
        case text
        /// HTML: only text nodes are translated; tags, attributes, entities, comments, `<code>`, `<pre>`,
        /// `translate="no"` and `ignoreTags` come out as they went in.
        case html
        /// XML: the same, with case-sensitive names and no HTML-specific elements.
        case xml
    }

    public var format: Format
    /// Elements whose content is kept as it is (besides `<code>`, `<pre>`, … in HTML).
    public var ignoreTags: [String]
    /// Terms kept exactly as written wherever they occur (product names, do-not-translate terms).
    public var keep: [String]

    public init(format: Format = .text, ignoreTags: [String] = [], keep: [String] = []) {
        self.format = format
        self.ignoreTags = ignoreTags
        self.keep = keep
    }

    /// Plain text with nothing to keep but what ``ProtectedSpans`` finds.
    public static let plain = TextOptions()

    /// A stable description for cache keys: two requests share a cache entry only with the same options.
    public var cacheVariant: String {
        self == .plain ? "" : "\(format.rawValue)|\(ignoreTags.sorted().joined(separator: ","))|\(keep.sorted().joined(separator: "\u{1}"))"
    }
}
