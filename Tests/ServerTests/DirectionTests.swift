import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server
@testable import Translation

/// A fake model for one direction: tags each text with its direction, so tests see where a request was routed.
struct TaggingTranslator: Translator {
    let pair: LanguagePair
    var directions: [LanguagePair] { [pair] }
    var description: String { "tagging \(pair.source)→\(pair.target) (tests only)" }
    var cacheIdentity: String { "tag-\(pair.source)-\(pair.target)" }
    func translate(_ job: TranslationJob) async throws -> [TranslatedText] {
        job.texts.map { TranslatedText(text: "[\(pair.source)→\(pair.target)] " + $0) }
    }
}

/// Several models in one process: requests go by direction, `source: auto` (or no source with both served) picks it
/// from the text, and an unsupported pair names the pairs served.
@Suite("Both directions in one server")
struct DirectionTests {
    static let zh2en = LanguagePair(source: "zh", target: "en"), en2zh = LanguagePair(source: "en", target: "zh")

    static func server() async throws -> TestServer {
        try await TestServer(translator: try ModelRouter([TaggingTranslator(pair: zh2en), TaggingTranslator(pair: en2zh)]))
    }

    @Test("routes by source and target; auto and an absent source detect zh or en; mixed text goes by its majority")
    func routing() async throws {
        let s = try await Self.server()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let languages = try await client.get("/api/v1/languages", token: token)
            let directions = languages.json?["directions"] as? [[String: String]]
            #expect(directions == [["source": "zh", "target": "en"], ["source": "en", "target": "zh"]])
            let cases: [(body: String, expected: String)] = [
                (#"{"text": "今天天气很好。", "source": "zh", "target": "en"}"#, "[zh→en] 今天天气很好。"),
                (#"{"text": "The weather is nice.", "source": "en"}"#, "[en→zh] The weather is nice."),
                (#"{"text": "The weather is nice.", "source": "auto"}"#, "[en→zh] The weather is nice."),
                (#"{"text": "The weather is nice."}"#, "[en→zh] The weather is nice."),
                (#"{"text": "今天天气很好。"}"#, "[zh→en] 今天天气很好。"),
                (#"{"text": "我用 Python 和 Swift 写代码。", "source": "auto"}"#, "[zh→en] 我用 Python 和 Swift 写代码。"),
                (#"{"text": "Install 软件 with apt-get install", "source": "auto"}"#, "[en→zh] Install 软件 with apt-get install"),
                (#"{"text": "The weather is nice.", "target": "zh"}"#, "[en→zh] The weather is nice."),
                (#"{"text": "123", "target": "zh"}"#, "[en→zh] 123"),   // no letters: the one source reaching zh
            ]
            for c in cases {
                let r = try await client.postJSON("/api/v1/translate", c.body, token: token)
                #expect(r.status == .ok && r.json?["translated_text"] as? String == c.expected, "\(c.body): \(String(buffer: r.body))")
            }
            let fr = try await client.postJSON("/api/v1/translate", #"{"text": "Bonjour", "source": "fr", "target": "en"}"#, token: token)
            #expect(fr.status == .badRequest)
            let error = fr.json?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "unsupported_language_pair")
            #expect((error?["message"] as? String)?.contains("available: zh→en, en→zh") == true, "\(String(buffer: fr.body))")
        }
    }

    @Test("two models for one direction are refused at start-up")
    func duplicateDirection() {
        #expect { try ModelRouter([TaggingTranslator(pair: Self.zh2en), TaggingTranslator(pair: Self.zh2en)]) } throws: {
            "\($0)".contains("two models serve zh→en")
        }
    }
}

/// The native API's markup options reach the translator and the cache key.
@Suite("Markup options on the native API")
struct MarkupRouteTests {
    @Test("format html keeps tags and <code>; do_not_translate keeps terms; each option set has its own cache entry")
    func options() async throws {
        let s = try await TestServer()   // EchoTranslator handles markup as the engine does, tagging each piece
        let key = try await s.tenant("org_m")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_m", key))
            let html = #"{"text": "<p title=\"标题\">你好 <code>ls -l</code> 世界</p>", "format": "html"}"#
            let r = try await client.postJSON("/api/v1/translate", html, token: token)
            #expect(r.json?["translated_text"] as? String == #"<p title="标题">[en] 你好 <code>ls -l</code> [en] 世界</p>"#,
                    "\(String(buffer: r.body))")
            let plain = try await client.postJSON("/api/v1/translate", #"{"text": "<p>你好</p>"}"#, token: token)
            #expect(plain.json?["translated_text"] as? String == "[en] <p>你好</p>", "plain text is not read as markup")
            let kept = try await client.postJSON("/api/v1/translate",
                                                 #"{"text": "打开 Acme Cloud 的 {file}", "do_not_translate": ["Acme Cloud"]}"#, token: token)
            #expect(kept.json?["translated_text"] as? String == "[en] 打开 Acme Cloud [en] 的 {file}")
            let bad = try await client.postJSON("/api/v1/translate", #"{"text": "x", "format": "rtf"}"#, token: token)
            #expect(bad.status == .badRequest)
            let again = try await client.postJSON("/api/v1/translate", html, token: token)
            #expect(again.json?["translated_text"] as? String == r.json?["translated_text"] as? String)
        }
        let cache = try s.auditLines().filter { ($0["path"] as? String) == "/api/v1/translate" && ($0["status"] as? Int) == 200 }
            .map { $0["cache"] as? String }
        #expect(cache == ["miss", "miss", "miss", "hit"])
    }
}
