import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite("Responses conform to the OpenAPI document")
struct OpenAPIConformanceTests {
    @Test("every documented route's success and error bodies match their schemas")
    func conformance() async throws {
        let validator = try OpenAPIValidator()
        let s = try await TestServer()
        let adminKey = try await s.operatorKey()
        let userKey = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            var checked = 0
            func check(_ method: String, _ path: String, _ r: TestResponse) {
                guard let schema = validator.responseSchema(method: method, path: path, status: Int(r.status.code)) else {
                    Issue.record("\(method) \(path) → \(r.status.code) is not documented")
                    return
                }
                let body = (try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) ?? NSNull()
                let problems = validator.validate(body, schema)
                #expect(problems.isEmpty, "\(method) \(path) → \(r.status.code): \(problems)")
                checked += 1
            }
            check("GET", "/api/health", try await client.get("/api/health"))
            check("GET", "/api/ready", try await client.get("/api/ready"))
            let tok = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "\#(userKey)"}"#)
            check("POST", "/api/v1/auth/token", tok)
            check("POST", "/api/v1/auth/token", try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "x"}"#))
            let user = try #require(tok.json?["token"] as? String)
            let admin = try #require(try await client.operatorToken("root", adminKey))
            check("GET", "/api/v1/whoami", try await client.get("/api/v1/whoami", token: user))
            check("POST", "/api/v1/translate", try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: user))
            check("POST", "/api/v1/translate", try await client.postJSON("/api/v1/translate", #"{"text": ["a", "b"]}"#, token: user))
            check("POST", "/api/v1/translate", try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#))
            check("POST", "/api/v1/translate", try await client.postJSON("/api/v1/translate", "{", token: user))
            check("POST", "/api/v1/org_a/translate", try await client.postJSON("/api/v1/org_a/translate", #"{"text": "x"}"#, token: user))
            check("POST", "/api/v1/org_b/translate", try await client.postJSON("/api/v1/org_b/translate", #"{"text": "x"}"#, token: user))
            check("GET", "/api/v1/admin/tenants", try await client.get("/api/v1/admin/tenants", token: admin))
            check("GET", "/api/v1/admin/tenants", try await client.get("/api/v1/admin/tenants", token: user))
            check("POST", "/api/v1/admin/tenants", try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_c", "name": "C"}"#, token: admin))
            check("POST", "/api/v1/admin/tenants", try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_c", "name": "C"}"#, token: admin))
            check("GET", "/api/v1/admin/tenants/org_c", try await client.get("/api/v1/admin/tenants/org_c", token: admin))
            check("GET", "/api/v1/admin/tenants/nope", try await client.get("/api/v1/admin/tenants/nope", token: admin))
            let key = try await client.postJSON("/api/v1/admin/tenants/org_c/keys", "{}", token: admin)
            check("POST", "/api/v1/admin/tenants/org_c/keys", key)
            check("GET", "/api/v1/admin/tenants/org_c/keys", try await client.get("/api/v1/admin/tenants/org_c/keys", token: admin))
            check("GET", "/api/v1/admin/keys", try await client.get("/api/v1/admin/keys?tenant=org_c", token: admin))
            let keyID = try #require((key.json?["key"] as? [String: Any])?["id"] as? String)
            check("POST", "/api/v1/admin/keys/\(keyID)/revoke", try await client.postJSON("/api/v1/admin/keys/\(keyID)/revoke", "", token: admin))
            check("POST", "/api/v1/admin/tenants/org_c/signing-keys/rotate",
                  try await client.postJSON("/api/v1/admin/tenants/org_c/signing-keys/rotate", "", token: admin))
            #expect(checked == 22)
        }
    }

    @Test("the validator itself rejects wrong shapes")
    func validatorCatchesMistakes() async throws {
        let v = try OpenAPIValidator()
        let errorSchema = v.resolve("#/components/schemas/Error")
        #expect(v.validate(["error": ["code": "x", "message": "y"]], errorSchema).isEmpty)
        #expect(!v.validate(["error": ["code": 5, "message": "y"]], errorSchema).isEmpty)
        #expect(!v.validate(["error": ["code": "x"]], errorSchema).isEmpty)
        let tenant = v.resolve("#/components/schemas/Tenant")
        let effective: [String: Any] = ["weight": 1, "burst": 20, "max_in_flight": 4, "max_queued_sentences": "unlimited",
                                        "requests_per_second": 10, "characters_per_minute": 100_000]
        let good: [String: Any] = ["id": "org_a", "name": "A", "enabled": true, "scopes": ["tenant:admin"], "allowed_ips": [],
                                   "created_at": "t", "updated_at": "t", "limits": ["weight": 2, "burst": NSNull()],
                                   "effective_limits": effective]
        #expect(v.validate(good, tenant).isEmpty)
        var badLimit = good
        badLimit["effective_limits"] = effective.merging(["requests_per_second": "lots"]) { $1 }
        #expect(!v.validate(badLimit, tenant).isEmpty)
        var bad = good
        bad["enabled"] = 1
        #expect(!v.validate(bad, tenant).isEmpty)
        bad = good
        bad["scopes"] = ["root"]
        #expect(!v.validate(bad, tenant).isEmpty)
    }
}
