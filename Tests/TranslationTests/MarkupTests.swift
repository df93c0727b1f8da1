import Foundation
import Testing
@testable import Translation

/// Markup and protected spans: what goes to the model, and what must come back byte for byte.
@Suite("Markup and protected spans")
struct MarkupTests {
    static let pages = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/html")

    /// A stand-in for the model that changes every letter (so a kept span that slipped through would show), and
    /// emits the characters markup must escape.
    static func fakeTranslate(_ pieces: [String]) -> [TranslatedText] {
        pieces.map { TranslatedText(text: "«" + String($0.reversed()).uppercased() + " & <ok>»") }
    }

    static func kept(_ s: String, _ options: TextOptions) -> [String] {
        HTMLSegmenter.segments(s, ignoreTags: Set(options.ignoreTags), xml: options.format == .xml).compactMap {
            if case .kept(let k) = $0 { return k } else { return nil }
        }
    }

    @Test("real pages: segments join back exactly; translated, every tag, attribute, comment and <code>/<pre> text is unchanged",
          arguments: ["apa.en.html", "apa.zh-cn.html", "pr01.en.html", "pr01.zh-cn.html", "lo-keyboard.en-US.html",
                      "lo-keyboard.zh-CN.html", "lo-start_parameters.en-US.html", "lo-start_parameters.zh-CN.html"])
    func realPages(_ name: String) throws {
        let page = try String(contentsOf: Self.pages.appendingPathComponent(name), encoding: .utf8)
        let options = TextOptions(format: .html)
        #expect(HTMLSegmenter.segments(page).map(\.string).joined() == page)
        let plan = MarkupPlan([page], options: options)
        #expect(plan.pieces.count > 20, "\(name): \(plan.pieces.count) pieces")
        // No tag reaches the model (a piece may hold `<` and `>` decoded from `&lt;` and `&gt;`, which are text).
        let tags = Set(Self.kept(page, options).filter { $0.hasPrefix("<") && $0.count > 2 })
        #expect(!plan.pieces.contains { piece in tags.contains { piece.contains($0) } }, "a tag reached the model")
        let out = plan.assemble(Self.fakeTranslate(plan.pieces))[0].text
        #expect(out != page)
        // The output's markup is the input's, in order, byte for byte: tags with their attributes, comments, the
        // doctype, and the whole content of <code>, <pre>, <script> and <style>.
        #expect(Self.kept(out, options) == Self.kept(page, options))
        for code in try Self.elements("code", in: page) { #expect(out.contains(code)) }
    }

    /// The full `<tag ...>...</tag>` texts of an element in `html` (no nesting of the same element).
    static func elements(_ tag: String, in html: String) throws -> [String] {
        let re = try NSRegularExpression(pattern: "<\(tag)[ >][\\s\\S]*?</\(tag)>")
        let ns = html as NSString
        return re.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }

    @Test("translate=\"no\", ignore_tags, comments, CDATA, quoted > in attributes, a < b, and entities")
    func htmlCases() {
        let html = #"<p title="a > b">Hello <b>world</b> &amp; friends</p><!-- note --><div translate="no">Keep <i>me</i></div>"#
            + #"<x-term>Acme Cloud</x-term><p>if a < b then</p><![CDATA[raw <text>]]><pre>  code  </pre>&nbsp;"#
        let options = TextOptions(format: .html, ignoreTags: ["X-TERM"])
        let plan = MarkupPlan([html], options: options)
        #expect(plan.pieces == ["Hello", "world", "& friends", "if a < b then"])
        let out = plan.assemble(plan.pieces.map { TranslatedText(text: "<\($0)>") })[0].text
        #expect(out == #"<p title="a > b">&lt;Hello&gt; <b>&lt;world&gt;</b> &lt;&amp; friends&gt;</p><!-- note --><div translate="no">Keep <i>me</i></div>"#
            + #"<x-term>Acme Cloud</x-term><p>&lt;if a &lt; b then&gt;</p><![CDATA[raw <text>]]><pre>  code  </pre>&nbsp;"#)
    }

    @Test("an unclosed tag or a stray < is kept as it is: segments always join back to the input")
    func malformed() {
        for s in ["<p>open", "text <", "<a href=\"x>never closed", "<<b>>", "</>", "<p><code>never closed", "a<b", "<!-- open"] {
            #expect(HTMLSegmenter.segments(s).map(\.string).joined() == s, "\(s)")
            let plan = MarkupPlan([s], options: TextOptions(format: .html))
            #expect(Self.kept(plan.assemble(Self.fakeTranslate(plan.pieces))[0].text, TextOptions(format: .html)) == Self.kept(s, TextOptions(format: .html)))
        }
    }

    /// Placeholders, URLs and e-mail addresses in plain text, and terms asked for, come back unchanged.
    static let spans = ["{name}", "{0}", "{{count}}", "%s", "%d", "%1$s", "%2$d", "%-5.2f", "%(user)s", "${HOME}", "%@",
                        "https://example.com/a/b?x=1&y=%20", "http://localhost:8080/api/v1", "www.debian.org",
                        "alice@example.com", "first.last+tag@mail.example.org"]

    @Test("over many strings, every placeholder, URL and e-mail address survives; nothing else is kept")
    func placeholdersSurvive() {
        let frames = ["Hello %@, welcome back.", "你好，%@！欢迎回来。", "Click %@ to continue", "请访问 %@ 了解详情。",
                      "(%@)", "%@", "Send it to %@.", "文件 %@ 无法打开", "%@ and %@", "错误：%@，请重试"]
        var texts: [String] = []
        for frame in frames {
            for (i, span) in Self.spans.enumerated() {
                texts.append(frame.replacingOccurrences(of: "%@", with: span).replacingOccurrences(of: span + " and " + span,
                                                                                                    with: span + " and " + Self.spans[(i + 1) % Self.spans.count]))
            }
        }
        let plan = MarkupPlan(texts, options: .plain)
        #expect(!plan.pieces.contains { p in Self.spans.contains { p.contains($0) } }, "a span reached the model")
        let out = plan.assemble(Self.fakeTranslate(plan.pieces))
        for (text, translated) in zip(texts, out) {
            for span in Self.spans where text.contains(span) {
                #expect(translated.text.contains(span), "\(span) lost from \(text): \(translated.text)")
            }
        }
        #expect(ProtectedSpans.patterns.count == ProtectedSpans.sources.count, "a pattern does not compile")
        // Not placeholders: a percentage, a price, a plain sentence.
        #expect(ProtectedSpans.segments("50% off, 3 items for $5") == [.text("50% off, 3 items for $5")])
        #expect(ProtectedSpans.segments("今天天气很好。") == [.text("今天天气很好。")])
    }

    @Test("terms to keep are kept wherever they occur, the longest first")
    func keepTerms() {
        let segments = ProtectedSpans.segments("Acme Cloud Pro 与 Acme Cloud 不同", terms: ["Acme Cloud", "Acme Cloud Pro"])
        #expect(segments == [.kept("Acme Cloud Pro"), .text(" 与 "), .kept("Acme Cloud"), .text(" 不同")])
    }

    @Test("plain text with nothing to protect is one piece, itself; the cache tells option sets apart")
    func plainUnchanged() {
        let texts = ["今天天气很好。\n\n第二段。", "", "  indented"]
        let plan = MarkupPlan(texts, options: .plain)
        #expect(plan.pieces == ["今天天气很好。\n\n第二段。", "indented"])
        #expect(plan.assemble(plan.pieces.map { TranslatedText(text: $0) }).map(\.text) == texts)
        #expect(TextOptions.plain.cacheVariant.isEmpty)
        #expect(TextOptions(format: .html).cacheVariant != TextOptions(format: .xml).cacheVariant)
        #expect(TextOptions(keep: ["a"]).cacheVariant != TextOptions(keep: ["b"]).cacheVariant)
    }

    @Test("the shipped model translates an HTML excerpt of a real page: tags and <code> unchanged, text translated")
    func shippedModelOnHTML() async throws {
        let page = try String(contentsOf: Self.pages.appendingPathComponent("pr01.zh-cn.html"), encoding: .utf8)
        // One list of the preface: a few dozen text nodes, with links and <code>.
        let excerpt = try #require(try Self.elements("ul", in: page).first { $0.contains("<code") && $0.count < 3_000 })
        let options = TextOptions(format: .html)
        let out = try await offCooperativePool {
            let translator = try EngineTranslator(modelDirectory: DefaultModelTests.root.appendingPathComponent("Weights/csanmt-zh2en-small"))
            return try translator.translateNow([excerpt], options: .init(), text: options)[0]
        }
        #expect(Self.kept(out.text, options) == Self.kept(excerpt, options))
        #expect(!out.text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } || excerpt.contains("translate=\"no\""),
                "Chinese text left untranslated: \(out.text)")
    }
}
