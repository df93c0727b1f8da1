import Foundation

/// Spans of plain text that must come out of a translation unchanged: placeholders (`{name}`, `{{name}}`, `{0}`,
/// `%s`, `%1$d`, `%(name)s`, `${x}`), URLs, e-mail addresses and the terms a request asks to keep. The text around
/// them is translated in pieces and the spans are put back between the pieces, so they survive whatever the model
/// does. (Numbers are left to the model, which copies digits: cutting a sentence at every number would cost more
/// than it protects.)
public enum ProtectedSpans {
    /// The patterns, most specific first (a URL holding `%20` stays one URL).
    static let sources = [
        #"(?:https?|ftp)://[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}，。；：！？）】」]"#,    // URL, without trailing punctuation
        #"www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>"'`]*[^\s<>"'`.,;:!?)\]}，。；：！？）】」])?"#,
        #"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"#,        // e-mail
        #"\{\{[^{}\n]{1,64}\}\}"#,                                                    // {{name}}
        #"\$\{[^{}\s]{1,64}\}"#,                                                      // ${x}
        #"\{[A-Za-z0-9_.:,-]{0,64}\}"#,                                               // {name}, {0}, {}
        #"%\([A-Za-z0-9_]{1,64}\)[-+#0]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"#,            // %(name)s
        #"%(?:\d+\$)?[-+#0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|z|j|t|q)?[diouxXeEfFgGaAcspn@]"#,   // %s, %1$d, %-5.2f, %@
    ]
    /// `sources` compiled. They are constants: `MarkupTests` checks that every one compiles, so none is ever dropped.
    static let patterns = sources.compactMap { try? NSRegularExpression(pattern: $0) }

    /// `text` cut into translated and kept segments. `terms`: exact strings to keep wherever they occur.
    public static func segments(_ text: String, terms: [String] = []) -> [TextSegment] {
        let ns = text as NSString
        var ranges: [NSRange] = []
        func claim(_ r: NSRange) {
            guard r.length > 0, !ranges.contains(where: { NSIntersectionRange($0, r).length > 0 }) else { return }
            ranges.append(r)
        }
        // Longer terms first, so "New York City" wins over "New York".
        for term in terms.filter({ !$0.isEmpty }).sorted(by: { $0.count > $1.count }) {
            var search = NSRange(location: 0, length: ns.length)
            while search.length > 0 {
                let r = ns.range(of: term, options: [], range: search)
                guard r.location != NSNotFound else { break }
                claim(r)
                search = NSRange(location: r.location + r.length, length: ns.length - r.location - r.length)
            }
        }
        for pattern in patterns {
            for m in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) { claim(m.range) }
        }
        guard !ranges.isEmpty else { return text.isEmpty ? [] : [.text(text)] }
        var out: [TextSegment] = []
        var at = 0
        for r in ranges.sorted(by: { $0.location < $1.location }) {
            if r.location > at { out.append(.text(ns.substring(with: NSRange(location: at, length: r.location - at)))) }
            out.append(.kept(ns.substring(with: r)))
            at = r.location + r.length
        }
        if at < ns.length { out.append(.text(ns.substring(from: at))) }
        return out
    }
}
