import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite("Audit, limits, admin API, concurrency, persistence")
struct ServiceTests {
    @Test("one audit line per API request, with ids and counts but no texts, keys or tokens")
    func auditLines() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        let token: String = try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "机密文本 secret"}"#, token: token)
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: "bad.token.value")
            return token
        }
        let lines = try s.auditLines()
        #expect(lines.count == 3)
        let translate = try #require(lines.first { ($0["path"] as? String) == "/api/v1/translate" && ($0["status"] as? Int) == 200 })
        for field in ["time", "request_id", "tenant_id", "tenant_name", "key_id", "method", "path", "status", "latency_ms", "characters"] {
            #expect(translate[field] != nil, "field \(field)")
        }
        #expect(translate["characters"] as? Int == 11)
        #expect(translate["tenant_id"] as? String == "org_a")
        let failed = try #require(lines.last)
        #expect(failed["status"] as? Int == 401)
        #expect(failed["error"] as? String == "malformed_token")
        let raw = try String(contentsOfFile: s.auditPath, encoding: .utf8)
        for secret in ["机密文本", "secret", "[en]", key, token] { #expect(!raw.contains(secret), "audit leaks \(secret.prefix(12))") }
    }

    @Test("malformed JSON is 400; an oversized body is 413 naming the limit; long text is 413 naming the limit")
    func limits() async throws {
        var config = ServerConfig()
        config.maxBodyBytes = 1_000
        config.maxCharacters = 50
        let s = try await TestServer(config: config)
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let malformed = try await client.postJSON("/api/v1/translate", #"{"text": "#, token: token)
            #expect(malformed.status == .badRequest && malformed.errorCode == "bad_request")
            let wrongType = try await client.postJSON("/api/v1/translate", #"{"text": 5}"#, token: token)
            #expect(wrongType.status == .badRequest)
            let missing = try await client.postJSON("/api/v1/translate", #"{}"#, token: token)
            #expect(missing.status == .badRequest && (missing.json?["error"] as? [String: Any])?["message"] as? String == "missing field 'text'")
            let huge = try await client.postJSON("/api/v1/translate", #"{"text": "\#(String(repeating: "a", count: 2_000))"}"#, token: token)
            #expect(huge.status == .contentTooLarge && huge.errorCode == "payload_too_large")
            #expect(huge.text.contains("1000 bytes"))
            let long = try await client.postJSON("/api/v1/translate", #"{"text": "\#(String(repeating: "字", count: 60))"}"#, token: token)
            #expect(long.status == .contentTooLarge && long.errorCode == "text_too_long")
            #expect(long.text.contains("50"))
            let pair = try await client.postJSON("/api/v1/translate", #"{"text": "x", "source": "fr", "target": "de"}"#, token: token)
            #expect(pair.status == .badRequest && pair.errorCode == "unsupported_language_pair")
            let unknownRoute = try await client.get("/api/v1/nothing-here", token: token)
            #expect(unknownRoute.status == .notFound && unknownRoute.errorCode == "not_found")
        }
    }

    @Test("batches keep their shape and order; characters count code points; a text with no letter skips the model")
    func batchShape() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let r = try await client.postJSON("/api/v1/translate", #"{"text": ["一", "二三", "😀"], "source": "zh", "target": "en"}"#, token: token)
            #expect(r.status == .ok)
            #expect(r.json?["translated_text"] as? [String] == ["[en] 一", "[en] 二三", "😀"])
            #expect((r.json?["usage"] as? [String: Any])?["characters"] as? Int == 4)
        }
    }

    @Test("admin API: create a tenant and a key, disable, rotate, revoke; audited; non-admins refused")
    func adminAPI() async throws {
        let s = try await TestServer()
        let adminKey = try await s.operatorKey()
        try await s.app().test(.router) { client in
            let admin = try #require(try await client.operatorToken("root", adminKey))
            let created = try await client.postJSON("/api/v1/admin/tenants",
                #"{"id": "org_new", "name": "New", "daily_requests": 10, "allowed_ips": ["10.0.0.0/8"]}"#, token: admin)
            #expect(created.status == .created)
            #expect(created.json?["daily_requests"] as? Int == 10)
            let dup = try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_new", "name": "Again"}"#, token: admin)
            #expect(dup.status == .conflict)
            let badID = try await client.postJSON("/api/v1/admin/tenants", #"{"id": "Bad ID", "name": "x"}"#, token: admin)
            #expect(badID.status == .badRequest)
            let key = try await client.postJSON("/api/v1/admin/tenants/org_new/keys", #"{"expires_in_days": 30}"#, token: admin)
            #expect(key.status == .created)
            let plaintext = try #require(key.json?["api_key"] as? String)
            #expect(plaintext.hasPrefix("csk_"))
            let keyID = try #require((key.json?["key"] as? [String: Any])?["id"] as? String)
            let listed = try await client.get("/api/v1/admin/tenants/org_new/keys", token: admin)
            #expect(!listed.text.contains(plaintext) && !listed.text.contains("hash"))
            var patch = HTTPFields()
            patch[.authorization] = "Bearer \(admin)"
            let disabled = try await client.execute(uri: "/api/v1/admin/tenants/org_new", method: .patch, headers: patch,
                                                    body: ByteBuffer(string: #"{"enabled": false, "daily_requests": null}"#))
            #expect(disabled.status == .ok)
            #expect(disabled.json?["enabled"] as? Bool == false)
            #expect(disabled.json?["daily_requests"] == nil)
            #expect(try await client.postJSON("/api/v1/admin/tenants/org_new/signing-keys/rotate", "", token: admin).status == .created)
            let revoked = try await client.postJSON("/api/v1/admin/keys/\(keyID)/revoke", "", token: admin)
            #expect(revoked.json?["revoked_at"] != nil)
            #expect(try await client.get("/api/v1/admin/tenants/nope", token: admin).status == .notFound)
        }
        let actions = try s.auditLines().compactMap { $0["action"] as? String }
        for a in ["tenant.create", "key.create", "tenant.update", "signing_key.rotate", "key.revoke"] { #expect(actions.contains(a), "\(a)") }
    }

    @Test("concurrent requests from several tenants are each answered and attributed correctly")
    func concurrentTenants() async throws {
        let s = try await TestServer()
        let tenants = (0..<5).map { "org_\($0)" }
        var collected: [String] = []
        for t in tenants { collected.append(try await s.tenant(t)) }
        let keys = collected
        try await s.app().test(.router) { client in
            var tokens: [String] = []
            for (t, k) in zip(tenants, keys) { tokens.append(try #require(try await client.token(t, k))) }
            let snapshot = tokens
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let t = i % tenants.count
                        let r = try await client.postJSON("/api/v1/\(tenants[t])/translate", #"{"text": "句\#(i)"}"#, token: snapshot[t])
                        return r.status == .ok && r.json?["translated_text"] as? String == "[en] 句\(i)"
                    }
                }
                var ok = 0
                for try await success in group where success { ok += 1 }
                #expect(ok == 100)
            }
        }
        let perTenant = Dictionary(grouping: try s.auditLines().filter { ($0["path"] as? String)?.hasSuffix("/translate") == true },
                                   by: { $0["tenant_id"] as? String ?? "" })
        #expect(tenants.allSatisfy { perTenant[$0]?.count == 20 })
    }

    @Test("the database survives a restart: tenants, keys and tokens still work")
    func reopen() async throws {
        let first = try await TestServer()
        let key = try await first.tenant("org_a")
        let token: String = try await first.app().test(.router) { client in try #require(try await client.token("org_a", key)) }
        let second = try await TestServer(dbDirectory: first.dir)   // a new process on the same file
        #expect(try await second.store.tenants().map(\.id) == ["org_a"])
        #expect(try await second.store.keys(tenantID: "org_a").count == 1)
        try await second.app().test(.router) { (client) async throws -> Void in
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: token).status == .ok)
            #expect(try await client.token("org_a", key) != nil)
        }
    }

    @Test("health, ready and the OpenAPI document need no token")
    func publicRoutes() async throws {
        let s = try await TestServer()
        try await s.app().test(.router) { client in
            #expect(try await client.get("/api/health").json?["status"] as? String == "ok")
            #expect(try await client.get("/api/ready").json?["status"] as? String == "ready")
            let doc = try await client.get("/openapi.json")
            #expect(doc.json?["openapi"] as? String == "3.1.0")
        }
    }
}
