import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server
@testable import Translation

/// The translation cache: hits are recorded, tenants are isolated by default, the LRU evicts the least recent.
@Suite("Translation cache")
struct CacheTests {
    func cacheField(_ s: TestServer) throws -> [String?] {
        try s.auditLines().filter { ($0["path"] as? String) == "/api/v1/translate" }.map { $0["cache"] as? String }
    }

    @Test("per-tenant scope: a second tenant's identical text is a miss; the same tenant's is a hit")
    func tenantIsolation() async throws {
        let t = GatedTranslator(options: SchedulerTests.options(window: .zero))
        let s = try await TestServer(translator: t)
        let a = try await s.tenant("org_a")
        let b = try await s.tenant("org_b")
        try await s.app().test(.router) { client in
            let ta = try #require(try await client.token("org_a", a))
            let tb = try #require(try await client.token("org_b", b))
            for token in [ta, ta, tb] {
                let r = try await client.postJSON("/api/v1/translate", #"{"text": "机密文本"}"#, token: token)
                #expect(r.json?["translated_text"] as? String == "[en] 机密文本")
            }
        }
        #expect(try cacheField(s) == ["miss", "hit", "miss"])
        #expect(t.batches.flatMap { $0 }.count == 2, "org_b must not be served org_a's entry")
        let metrics = s.env.metrics.exposition()
        #expect(metrics.contains(#"csanmt_cache_lookups_total{result="hit"} 1"#))
        #expect(metrics.contains(#"csanmt_cache_lookups_total{result="miss"} 2"#))
        t.scheduler.shutdown()
    }

    @Test("shared scope: the second tenant hits; a batch with some cached texts is partial")
    func sharedScope() async throws {
        var config = ServerConfig()
        config.cacheScope = "shared"
        let t = GatedTranslator(options: SchedulerTests.options(window: .zero))
        let s = try await TestServer(config: config, translator: t)
        let a = try await s.tenant("org_a")
        let b = try await s.tenant("org_b")
        try await s.app().test(.router) { client in
            let ta = try #require(try await client.token("org_a", a))
            let tb = try #require(try await client.token("org_b", b))
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "公开"}"#, token: ta)
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "公开"}"#, token: tb)
            let partial = try await client.postJSON("/api/v1/translate", #"{"text": ["公开", "新的"]}"#, token: tb)
            #expect(partial.json?["translated_text"] as? [String] == ["[en] 公开", "[en] 新的"])
        }
        #expect(try cacheField(s) == ["miss", "hit", "partial"])
        t.scheduler.shutdown()
    }

    @Test("keys separate scope, model, direction and text unambiguously")
    func keys() {
        let p = LanguagePair(source: "zh", target: "en")
        let k = CacheKey.make(scope: "org_a", model: "m", pair: p, text: "x")
        #expect(k != CacheKey.make(scope: "org_b", model: "m", pair: p, text: "x"))
        #expect(k != CacheKey.make(scope: "org_a", model: "m2", pair: p, text: "x"))
        #expect(k != CacheKey.make(scope: "org_a", model: "m", pair: LanguagePair(source: "en", target: "zh"), text: "x"))
        #expect(CacheKey.make(scope: "ab", model: "c", pair: p, text: "") != CacheKey.make(scope: "a", model: "bc", pair: p, text: ""))
        #expect(k == CacheKey.make(scope: "org_a", model: "m", pair: p, text: "x"))
    }

    @Test("the LRU evicts the least recently used entry")
    func lru() {
        let c = LRUCache<String>(capacity: 2)
        c.set("a", "1")
        c.set("b", "2")
        #expect(c.get("a") == "1")   // a is now the most recent
        c.set("c", "3")              // evicts b
        #expect(c.get("b") == nil && c.get("a") == "1" && c.get("c") == "3")
        #expect(c.count == 2)
    }
}

/// A translation cut at its step budget reaches the client flagged, on every path, and is not cached.
@Suite("Truncated translations")
struct TruncationFlagTests {
    @Test("the native answer says which texts were cut, the header counts them, the audit line too; no cache entry")
    func flagged() async throws {
        let s = try await TestServer()   // EchoTranslator: a text holding [cut] comes back truncated
        let a = try await s.tenant("org_a", scopes: CompatTests.compatScopes)
        let truncatedHeader = HTTPField.Name("X-Translation-Truncated")!
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", a))
            let one = try await client.postJSON("/api/v1/translate", #"{"text": "很长的段落[cut]"}"#, token: token)
            #expect(one.status == .ok)
            #expect(one.json?["truncated"] as? Bool == true)
            #expect(one.headers[truncatedHeader] == "1")
            let batch = try await client.postJSON("/api/v1/translate", #"{"text": ["好", "很长的段落[cut]"]}"#, token: token)
            #expect(batch.json?["truncated"] as? [Bool] == [false, true])
            let again = try await client.postJSON("/api/v1/translate", #"{"text": "很长的段落[cut]"}"#, token: token)
            #expect(again.json?["truncated"] as? Bool == true)
            let whole = try await client.postJSON("/api/v1/translate", #"{"text": "好"}"#, token: token)
            #expect(whole.json?["translated_text"] as? String == "[en] 好")
            #expect(whole.json?["truncated"] == nil, "a complete translation carries no flag")
            #expect(whole.headers[truncatedHeader] == nil)
            // The drop-in APIs have no such field: the header tells them.
            let deepl = try await client.execute(uri: "/v2/translate?text=%E6%AE%B5%E8%90%BD%5Bcut%5D&target_lang=EN", method: .post,
                                                 headers: [.authorization: "DeepL-Auth-Key \(a)"])
            #expect(deepl.status == .ok && deepl.headers[truncatedHeader] == "1", "\(String(buffer: deepl.body))")
        }
        let lines = try s.auditLines().filter { ($0["path"] as? String) == "/api/v1/translate" }
        #expect(lines.map { $0["truncated"] as? Int } == [1, 1, 1, nil])
        // The cut text is translated again each time, never served from the cache; the complete one was cached.
        #expect(lines.map { $0["cache"] as? String } == ["miss", "miss", "miss", "hit"])
    }
}
