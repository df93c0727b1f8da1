import Foundation

/// Splits HTML or XML into the text a translator may change and everything else, which is kept byte for byte:
/// tags with their attributes, comments, doctypes, CDATA, processing instructions, and the whole content of
/// elements that must not be translated (`<code>`, `<pre>`, `<script>`, `<style>`, `<textarea>`, any element with
/// `translate="no"`, and a request's `ignore_tags`). Joining the segments gives the input back exactly.
///
/// A lexer, not a validating parser: it never fails. Malformed markup (an unclosed `<`, a stray `>`) is kept as it
/// is, so the tag sequence of the output is the input's whatever the input is.
public enum HTMLSegmenter {
    public typealias Segment = TextSegment

    /// Elements whose content is never translated, whatever the request says.
    public static let untranslatedElements: Set<String> = ["code", "pre", "script", "style", "textarea", "kbd", "samp", "var"]
    /// Elements with no content (no closing tag to wait for).
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]

    /// The segments of `markup`. `ignoreTags` (case-insensitive names) are kept with their content, like `<code>`.
    /// `xml`: element names are case-sensitive and only `translate="no"` and `ignoreTags` keep content.
    public static func segments(_ markup: String, ignoreTags: Set<String> = [], xml: Bool = false) -> [Segment] {
        let s = Array(markup.unicodeScalars)
        var out: [Segment] = []
        var current = String.UnicodeScalarView(), currentIsText = true
        func flush() {
            guard !current.isEmpty else { return }
            out.append(currentIsText ? .text(String(current)) : .kept(String(current)))
            current = String.UnicodeScalarView()
        }
        func append(_ scalars: ArraySlice<Unicode.Scalar>, isText: Bool) {
            if isText != currentIsText { flush(); currentIsText = isText }
            current.append(contentsOf: scalars)
        }
        func keep(_ scalars: ArraySlice<Unicode.Scalar>) { append(scalars, isText: false) }
        let ignored = Set(ignoreTags.map { xml ? $0 : $0.lowercased() })
        let skipping = xml ? ignored : ignored.union(untranslatedElements)
        // The name of the open element whose content is being kept, and how deep it nests in itself.
        var keptElement: (name: String, depth: Int)?
        var i = 0
        while i < s.count {
            guard s[i] == "<", let end = tagEnd(s, from: i) else {
                append(s[i...i], isText: keptElement == nil)
                i += 1
                continue
            }
            let tag = s[i..<end]
            i = end
            guard let parsed = parseTag(tag, xml: xml) else { keep(tag); continue }   // comment, doctype, CDATA, PI
            if var open = keptElement {
                if parsed.name == open.name {
                    if parsed.closing { open.depth -= 1 } else if !parsed.selfClosing { open.depth += 1 }
                    keptElement = open.depth == 0 ? nil : open
                }
                keep(tag)
                continue
            }
            keep(tag)
            guard !parsed.closing, !parsed.selfClosing, xml || !voidElements.contains(parsed.name) else { continue }
            if skipping.contains(parsed.name) || parsed.translateNo { keptElement = (parsed.name, 1) }
        }
        flush()
        return out
    }

    /// The index just past the `>` that ends the markup starting at `start` (`<`), honouring quoted attribute values
    /// and the terminators of comments (`-->`), CDATA (`]]>`) and processing instructions (`?>`); nil when `<` starts
    /// no markup (then it is text) or nothing ends it.
    static func tagEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        func matches(_ p: [Unicode.Scalar], at k: Int) -> Bool {
            guard k + p.count <= s.count else { return false }
            for (n, c) in p.enumerated() where s[k + n] != c { return false }
            return true
        }
        func hasPrefix(_ p: String, at k: Int) -> Bool { matches(Array(p.unicodeScalars), at: k) }
        func find(_ terminator: String, from k: Int) -> Int? {
            let t = Array(terminator.unicodeScalars)
            var j = k
            while j + t.count <= s.count {
                if matches(t, at: j) { return j + t.count }
                j += 1
            }
            return nil
        }
        if hasPrefix("<!--", at: start) { return find("-->", from: start + 4) }
        if hasPrefix("<![CDATA[", at: start) { return find("]]>", from: start + 9) }
        if hasPrefix("<?", at: start) { return find("?>", from: start + 2) }
        guard start + 1 < s.count else { return nil }
        let next = s[start + 1]
        guard next == "/" || next == "!" || next.properties.isAlphabetic else { return nil }   // `a < b` is text
        var quote: Unicode.Scalar?
        var j = start + 1
        while j < s.count {
            let c = s[j]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                return j + 1
            } else if c == "<" {
                return nil   // a new tag starts before this one ended: this `<` was text
            }
            j += 1
        }
        return nil
    }

    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var translateNo: Bool
    }

    /// Name, kind and `translate="no"` of an element tag; nil for comments, doctypes, CDATA and PIs.
    static func parseTag(_ tag: ArraySlice<Unicode.Scalar>, xml: Bool) -> Tag? {
        let body = Array(tag.dropFirst().dropLast())
        guard let first = body.first, first != "!", first != "?" else { return nil }
        let closing = first == "/"
        let nameStart = closing ? 1 : 0
        var k = nameStart
        while k < body.count, !body[k].properties.isWhitespace, body[k] != "/", body[k] != ">" { k += 1 }
        var name = String(String.UnicodeScalarView(body[nameStart..<k]))
        if !xml { name = name.lowercased() }
        let attributes = String(String.UnicodeScalarView(body[k...]))
        let selfClosing = body.last == "/"
        // The regular expression only for the few tags that mention the attribute at all (a page has thousands of tags).
        let translateNo = attributes.range(of: "translate", options: .caseInsensitive) != nil
            && attributes.range(of: #"(^|\s)translate\s*=\s*["']?no["']?"#, options: [.regularExpression, .caseInsensitive]) != nil
        return Tag(name: name, closing: closing, selfClosing: selfClosing, translateNo: translateNo)
    }
}
