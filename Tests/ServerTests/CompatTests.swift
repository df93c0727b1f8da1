import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server
import Translation

/// The drop-in DeepL, Google and LibreTranslate routes: their shapes, their errors, and the one path underneath
/// (same usage and audit as the native route). The official client libraries are driven by Tests/Compat/run.
@Suite("Drop-in APIs")
struct CompatTests {
    static let compatScopes: [Scope] = [.translateBasic, .translateBatch, .usageRead, .translateCompat]

    func form(_ client: some TestClientProtocol, _ uri: String, _ body: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func deepL(_ key: String) -> HTTPFields {
        var h = HTTPFields()
        h[.authorization] = "DeepL-Auth-Key \(key)"
        return h
    }

    @Test("DeepL: form and JSON, DeepL's answer shape, languages, usage; its error statuses (403, 456, 429, 413, 400)")
    func deepLShapes() async throws {
        let s = try await TestServer(isolationDefaults: true)
        let key = try await s.tenant("org_d", scopes: Self.compatScopes, dailyCharacters: 12,
                               limits: TenantLimits(requestsPerSecond: .unlimited, charactersPerMinute: .unlimited))
        let plain = try await s.tenant("org_plain")
        try await s.app().test(.router) { client in
            let r = try await form(client, "/v2/translate", "text=%E4%BD%A0%E5%A5%BD&text=abc&target_lang=EN-US", headers: deepL(key))
            #expect(r.status == .ok, "\(r.text)")
            let translations = r.json?["translations"] as? [[String: Any]]
            #expect(translations?.map { $0["text"] as? String } == ["[en] 你好", "[en] abc"])
            #expect(translations?.map { $0["detected_source_language"] as? String } == ["ZH", "ZH"])
            #expect(translations?.map { $0["billed_characters"] as? Int } == [2, 3])
            var json = deepL(key)
            json[.contentType] = "application/json"
            let j = try await client.execute(uri: "/v2/translate", method: .post, headers: json,
                                             body: ByteBuffer(string: #"{"text": ["好"], "source_lang": "ZH", "target_lang": "EN-GB"}"#))
            #expect((j.json?["translations"] as? [[String: Any]])?.first?["text"] as? String == "[en] 好")

            let usage = try await client.execute(uri: "/v2/usage", method: .get, headers: deepL(key)).json
            #expect(usage?["character_count"] as? Int == 6 && usage?["character_limit"] as? Int == 12)
            let targetList = try JSONSerialization.jsonObject(with: Data(buffer: try await client.execute(
                uri: "/v2/languages?type=target", method: .get, headers: deepL(key)).body)) as? [[String: Any]]
            #expect(targetList?.compactMap { $0["language"] as? String } == ["EN-GB", "EN-US"])

            // Errors in DeepL's shape and statuses, so its client raises its own exceptions.
            let missing = try await form(client, "/v2/translate", "text=x&target_lang=EN-US")
            #expect(missing.status == .forbidden && missing.json?["message"] != nil && missing.headers[.wwwAuthenticate] == nil)
            #expect(try await form(client, "/v2/translate", "text=x&target_lang=EN-US", headers: deepL("csk_wrong")).status == .forbidden)
            let noScope = try await form(client, "/v2/translate", "text=x&target_lang=EN-US", headers: deepL(plain))
            #expect(noScope.status == .forbidden && noScope.headers[HTTPField.Name("X-Error-Code")!] == "insufficient_scope")
            let badTarget = try await form(client, "/v2/translate", "text=x&target_lang=FR", headers: deepL(key))
            #expect(badTarget.status == .badRequest && (badTarget.json?["message"] as? String ?? "").contains("target_lang"))
            let tooMany = try await form(client, "/v2/translate", Array(repeating: "text=a", count: 51).joined(separator: "&") + "&target_lang=EN-US",
                                         headers: deepL(key))
            #expect(tooMany.status == .contentTooLarge)
            let over = try await form(client, "/v2/translate", "text=1234567&target_lang=EN-US", headers: deepL(key))
            #expect(over.status.code == 456, "quota exceeded is DeepL's 456")
        }
    }

    @Test("DeepL: the rate limit answers 429 with Retry-After")
    func deepLRateLimit() async throws {
        // A stopped clock: the second request comes "at the same instant", however slow the machine is.
        let s = try await TestServer(rateLimiter: LocalRateLimiter(clock: { 1_000 }), isolationDefaults: true)
        let key = try await s.tenant("org_r", scopes: Self.compatScopes, limits: TenantLimits(requestsPerSecond: .value(1), burst: 1))
        try await s.app().test(.router) { client in
            #expect(try await form(client, "/v2/translate", "text=%E5%A5%BD&target_lang=EN-US", headers: deepL(key)).status == .ok)
            let limited = try await form(client, "/v2/translate", "text=%E5%A5%BD&target_lang=EN-US", headers: deepL(key))
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
        }
    }

    @Test("the drop-in routes leave the same usage and audit as the native route for the same texts")
    func sameUsageAsNative() async throws {
        let s = try await TestServer()
        let native = try await s.tenant("org_native", scopes: Self.compatScopes)
        let drop = try await s.tenant("org_drop", scopes: Self.compatScopes)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_native", native))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": ["你好", "世界"]}"#, token: token).status == .ok)
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "早上好"}"#, token: token).status == .ok)
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "晚安"}"#, token: token).status == .ok)
            #expect(try await form(client, "/v2/translate", "text=%E4%BD%A0%E5%A5%BD&text=%E4%B8%96%E7%95%8C&target_lang=EN-US",
                                   headers: deepL(drop)).status == .ok)
            #expect(try await client.postJSON("/language/translate/v2?key=\(drop)", #"{"q": "早上好", "target": "en"}"#).status == .ok)
            #expect(try await form(client, "/translate", "q=%E6%99%9A%E5%AE%89&source=zh&target=en&api_key=\(drop)").status == .ok)
            let usage = try await s.env.quota.usage(tenants: ["org_native", "org_drop"], day: UsageDay(s.clock.now))
            #expect(usage["org_native"]?.requests == 3 && usage["org_native"]?.characters == 9)
            #expect(usage["org_drop"] == usage["org_native"])
        }
        let lines = try s.auditLines()
        func characters(_ tenant: String) -> [Int] {
            lines.filter { $0["tenant_id"] as? String == tenant && ($0["status"] as? Int) == 200 }.compactMap { $0["characters"] as? Int }
        }
        #expect(characters("org_drop") == characters("org_native"))
        let paths = lines.filter { $0["tenant_id"] as? String == "org_drop" }.compactMap { $0["path"] as? String }
        #expect(paths == ["/v2/translate", "/language/translate/v2", "/translate"])
        #expect(lines.contains { $0["action"] as? String == "compat.google.translate" && $0["key_id"] != nil })
    }

    @Test("Google v2: key= or a bearer token, q repeated or a list, detectedSourceLanguage only when detected, detect, languages, Google's error envelope")
    func google() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_g", scopes: Self.compatScopes)
        try await s.app().test(.router) { client in
            let r = try await client.postJSON("/language/translate/v2?key=\(key)", #"{"q": ["你好", "世界"], "target": "en", "format": "text"}"#)
            let translations = (r.json?["data"] as? [String: Any])?["translations"] as? [[String: Any]]
            #expect(translations?.map { $0["translatedText"] as? String } == ["[en] 你好", "[en] 世界"])
            #expect(translations?.map { $0["detectedSourceLanguage"] as? String } == ["zh-CN", "zh-CN"])
            let token = try #require(try await client.token("org_g", key))
            let get = try await client.get("/language/translate/v2?q=%E5%A5%BD&target=en&source=zh-CN", token: token)
            let one = ((get.json?["data"] as? [String: Any])?["translations"] as? [[String: Any]])?.first
            #expect(one?["translatedText"] as? String == "[en] 好" && one?["detectedSourceLanguage"] == nil)
            let detect = try await client.postJSON("/language/translate/v2/detect?key=\(key)", #"{"q": ["你好吗", "How are you"]}"#)
            let detections = (detect.json?["data"] as? [String: Any])?["detections"] as? [[[String: Any]]]
            #expect(detections?.map { $0.first?["language"] as? String } == ["zh-CN", "en"])
            let languages = try await client.get("/language/translate/v2/languages?key=\(key)&target=en").json
            let list = (languages?["data"] as? [String: Any])?["languages"] as? [[String: Any]]
            #expect(list?.compactMap { $0["language"] as? String } == ["en", "zh-CN"])
            let wrong = try await client.postJSON("/language/translate/v2?key=csk_nope", #"{"q": "x", "target": "en"}"#)
            let error = wrong.json?["error"] as? [String: Any]
            #expect(wrong.status == .unauthorized && error?["code"] as? Int == 401 && error?["status"] as? String == "UNAUTHENTICATED")
            #expect((error?["errors"] as? [[String: Any]])?.first?["reason"] as? String == "forbidden")
            // format html is Google's default: tags kept, translated text escaped; a text node with nothing to translate
            // (` & {name}`: a sign and a placeholder) stays as the client wrote it. format text sends the text as it is.
            let html = try await client.postJSON("/language/translate/v2?key=\(key)", #"{"q": "<b>你好</b> & {name}", "target": "en"}"#)
            let htmlText = ((html.json?["data"] as? [String: Any])?["translations"] as? [[String: Any]])?.first?["translatedText"] as? String
            #expect(htmlText == "<b>[en] 你好</b> & {name}", "\(html.status) \(String(buffer: html.body))")
            let text = try await client.postJSON("/language/translate/v2?key=\(key)", #"{"q": "甲 < 乙", "target": "en", "format": "text"}"#)
            let plain = ((text.json?["data"] as? [String: Any])?["translations"] as? [[String: Any]])?.first?["translatedText"] as? String
            #expect(plain == "[en] 甲 < 乙")
            let bad = try await client.postJSON("/language/translate/v2?key=\(key)", #"{"q": "x", "target": "en", "format": "rtf"}"#)
            #expect(bad.status == .badRequest)
        }
    }

    @Test("LibreTranslate: q a string or a list, source auto, detect, languages and frontend settings, {\"error\"} on failure")
    func libreTranslate() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_l", scopes: Self.compatScopes)
        try await s.app().test(.router) { client in
            let one = try await form(client, "/translate", "q=%E4%BD%A0%E5%A5%BD&source=auto&target=en&api_key=\(key)")
            #expect(one.json?["translatedText"] as? String == "[en] 你好")
            #expect((one.json?["detectedLanguage"] as? [String: Any])?["language"] as? String == "zh")
            let list = try await client.postJSON("/translate", #"{"q": ["好"], "source": "zh", "target": "en", "api_key": "\#(key)", "alternatives": 3}"#)
            #expect(list.json?["translatedText"] as? [String] == ["[en] 好"])
            #expect(list.json?["alternatives"] as? [[String]] == [[]] && list.json?["detectedLanguage"] == nil)
            let detect = try await form(client, "/detect", "q=Hello+world&api_key=\(key)")
            let detected = try JSONSerialization.jsonObject(with: Data(buffer: detect.body)) as? [[String: Any]]
            #expect(detected?.first?["language"] as? String == "en")
            let languages = try JSONSerialization.jsonObject(with: Data(buffer: try await client.get("/languages").body)) as? [[String: Any]]
            #expect(languages?.first?["code"] as? String == "zh" && languages?.first?["targets"] as? [String] == ["en"])
            let settings = try await client.get("/frontend/settings").json
            #expect(settings?["keyRequired"] as? Bool == true && settings?["charLimit"] as? Int == s.env.config.maxCharacters)
            let wrong = try await form(client, "/translate", "q=x&source=zh&target=en&api_key=csk_nope")
            #expect(wrong.status == .forbidden && wrong.json?["error"] as? String == "unknown tenant or API key")
            let unsupported = try await form(client, "/translate", "q=x&source=zh&target=fr&api_key=\(key)")
            #expect(unsupported.status == .badRequest && (unsupported.json?["error"] as? String ?? "").contains("target"))
        }
    }

    @Test("an operator switches families off with compat_apis: their routes are gone")
    func familiesSwitch() async throws {
        var config = ServerConfig()
        config.compatAPIs = ["deepl"]
        let s = try await TestServer(config: config)
        let key = try await s.tenant("org_s", scopes: Self.compatScopes)
        try await s.app().test(.router) { client in
            let deepl = try await form(client, "/v2/translate", "text=%E5%A5%BD&target_lang=EN-US", headers: deepL(key))
            #expect(deepl.status == .ok)
            #expect(try await client.postJSON("/language/translate/v2?key=\(key)", #"{"q": "a", "target": "en"}"#).status == .notFound)
            #expect(try await form(client, "/translate", "q=a&target=en&api_key=\(key)").status == .notFound)
        }
        var bad = ServerConfig()
        bad.compatAPIs = ["deepl", "bing"]
        #expect(throws: StoreError.self) { try bad.validate() }
    }

    @Test("language guess: Han against Latin letters")
    func guess() async throws {
        #expect(LanguageGuess.guess("今天天气很好。", fallback: "en").language == "zh")
        #expect(LanguageGuess.guess("The weather is nice today.", fallback: "zh").language == "en")
        #expect(LanguageGuess.guess("我用 iPhone 拍照", fallback: "en").language == "zh")
        let none = LanguageGuess.guess("12345 !!", fallback: "zh")
        #expect(none.language == "zh" && none.confidence == 0)
    }
}
