import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Operators (every tenant) against tenant admins (`tenant:admin`, their own tenant only), route by route.
@Suite("Operators and tenant admins")
struct PrincipalTests {
    /// Two tenants, each with a tenant admin key and a translate key, and an operator.
    struct World {
        let s: TestServer
        let adminA: String, adminB: String, operatorKey: String
        let keyA: APIKey, keyB: APIKey
        init() async throws {
            s = try await TestServer()
            adminA = try await s.tenant("org_a", scopes: [.tenantAdmin, .translateBasic, .usageRead])
            adminB = try await s.tenant("org_b", scopes: [.tenantAdmin, .translateBasic, .usageRead])
            keyA = try await s.store.createKey(tenantID: "org_a", scopes: [.translateBasic]).0
            keyB = try await s.store.createKey(tenantID: "org_b", scopes: [.translateBasic]).0
            operatorKey = try await s.operatorKey()
        }
    }

    /// Every admin route, aimed at tenant `t` (whose key is `key`): method, path, body.
    static func routes(on t: String, key: String) -> [(HTTPRequest.Method, String, String?)] {
        [(.get, "/api/v1/admin/tenants/\(t)", nil),
         (.patch, "/api/v1/admin/tenants/\(t)", #"{"name": "Renamed"}"#),
         (.get, "/api/v1/admin/tenants/\(t)/keys", nil),
         (.post, "/api/v1/admin/tenants/\(t)/keys", "{}"),
         (.post, "/api/v1/admin/tenants/\(t)/signing-keys/rotate", ""),
         (.get, "/api/v1/admin/keys?tenant=\(t)", nil),
         (.patch, "/api/v1/admin/keys/\(key)", #"{"limits": {"requests_per_second": 5}}"#),
         (.post, "/api/v1/admin/keys/\(key)/revoke", ""),
         (.get, "/api/v1/admin/audit?tenant=\(t)", nil)]
    }

    static func call(_ client: some TestClientProtocol, _ route: (HTTPRequest.Method, String, String?), token: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        if route.2 != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: route.1, method: route.0, headers: headers, body: route.2.map { ByteBuffer(string: $0) })
    }

    @Test("a tenant admin of A gets 403 on every admin route of B, and on the operator-only ones")
    func tenantAdminConfined() async throws {
        let w = try await World()
        try await w.s.app().test(.router) { client in
            let a = try #require(try await client.token("org_a", w.adminA))
            for route in Self.routes(on: "org_b", key: w.keyB.id) {
                let r = try await Self.call(client, route, token: a)
                #expect(r.status == .forbidden && r.errorCode == "tenant_mismatch", "\(route.0) \(route.1) → \(r.status.code) \(r.errorCode ?? "")")
            }
            for route: (HTTPRequest.Method, String, String?) in [(.post, "/api/v1/admin/tenants", #"{"id": "org_x", "name": "X"}"#),
                                                                 (.get, "/api/v1/status", nil)] {
                let r = try await Self.call(client, route, token: a)
                #expect(r.status == .forbidden && r.errorCode == "operator_required", "\(route.1) → \(r.status.code)")
            }
            // Lists are narrowed to the caller's tenant.
            let tenants = try await client.get("/api/v1/admin/tenants", token: a).json?["tenants"] as? [[String: Any]]
            #expect(tenants?.map { $0["id"] as? String } == ["org_a"])
            let keys = try await client.get("/api/v1/admin/keys", token: a).json?["keys"] as? [[String: Any]]
            #expect(keys?.isEmpty == false && keys?.allSatisfy { $0["tenant_id"] as? String == "org_a" } == true)
            let usage = try await client.get("/api/v1/admin/usage", token: a).json?["tenants"] as? [[String: Any]]
            #expect(usage?.map { $0["tenant_id"] as? String } == ["org_a"])
            // B is untouched.
            #expect(try await w.s.store.key(w.keyB.id)?.revokedAt == nil)
            #expect(try await w.s.store.tenant("org_b")?.name == "Tenant org_b")
        }
    }

    @Test("a tenant admin manages its own tenant's keys, signing key, name and allow-list, but not its quotas, limits, scopes or state")
    func tenantAdminOwnTenant() async throws {
        let w = try await World()
        try await w.s.app().test(.router) { client in
            let a = try #require(try await client.token("org_a", w.adminA))
            for route in Self.routes(on: "org_a", key: w.keyA.id) {
                let r = try await Self.call(client, route, token: a)
                #expect([200, 201].contains(r.status.code), "\(route.0) \(route.1) → \(r.status.code) \(r.errorCode ?? "")")
            }
            #expect(try await w.s.store.key(w.keyA.id)?.revokedAt != nil)
            for body in [#"{"daily_requests": null}"#, #"{"limits": {"weight": 100}}"#, #"{"scopes": ["translate:batch"]}"#,
                         #"{"enabled": true}"#, #"{"name": "A", "daily_characters": 1}"#] {
                let r = try await Self.call(client, (.patch, "/api/v1/admin/tenants/org_a", body), token: a)
                #expect(r.status == .forbidden && r.errorCode == "operator_required", "\(body) → \(r.status.code)")
            }
            let ips = try await Self.call(client, (.patch, "/api/v1/admin/tenants/org_a", #"{"allowed_ips": ["0.0.0.0/0", "::/0"]}"#), token: a)
            #expect(ips.status == .ok)
            #expect(try await w.s.store.tenant("org_a")?.allowedIPs == ["0.0.0.0/0", "::/0"])
            #expect(try await w.s.store.tenant("org_a")?.dailyCharacters == nil, "the refused patches changed nothing")
        }
    }

    @Test("an operator acts on any tenant, cannot translate, and loses access when disabled or when its key is reset")
    func operatorActsEverywhere() async throws {
        let w = try await World()
        try await w.s.app().test(.router) { client in
            #expect(try await client.operatorToken("root", "cso_wrong") == nil)
            #expect(try await client.operatorToken("nobody", w.operatorKey) == nil)
            #expect(try await client.operatorToken("org_a", w.adminA) == nil, "a tenant key is not an operator key")
            let op = try #require(try await client.operatorToken("root", w.operatorKey))
            for (t, key) in [("org_a", w.keyA.id), ("org_b", w.keyB.id)] {
                for route in Self.routes(on: t, key: key) {
                    let r = try await Self.call(client, route, token: op)
                    #expect([200, 201].contains(r.status.code), "\(route.0) \(route.1) → \(r.status.code) \(r.errorCode ?? "")")
                }
            }
            let created = try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_c", "name": "C"}"#, token: op)
            #expect(created.status == .created)
            let patched = try await Self.call(client, (.patch, "/api/v1/admin/tenants/org_b", #"{"daily_requests": 7, "limits": {"weight": 3}}"#), token: op)
            #expect(patched.status == .ok && patched.json?["daily_requests"] as? Int == 7)
            let tenants = try await client.get("/api/v1/admin/tenants", token: op).json?["tenants"] as? [[String: Any]]
            #expect(tenants?.compactMap { $0["id"] as? String } == ["org_a", "org_b", "org_c"])
            #expect(try await client.get("/api/v1/status", token: op).status == .ok)
            let whoami = try await client.get("/api/v1/whoami", token: op).json
            #expect(whoami?["kind"] as? String == "operator" && whoami?["operator_id"] as? String == "root")
            let translate = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: op)
            #expect(translate.status == .forbidden && translate.errorCode == "operator_not_tenant")
            #expect(try await client.get("/api/v1/usage", token: op).errorCode == "operator_not_tenant")
            // A tenant's token cannot be passed off as an operator's, nor the reverse.
            let a = try #require(try await client.token("org_a", w.adminA))
            #expect(try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_d", "name": "D"}"#, token: a).errorCode == "operator_required")

            try await w.s.store.setOperatorDisabled("root", true)
            #expect(try await client.get("/api/v1/admin/tenants", token: op).errorCode == "operator_disabled")
            #expect(try await client.operatorToken("root", w.operatorKey) == nil)
            try await w.s.store.setOperatorDisabled("root", false)
            #expect(try await client.get("/api/v1/admin/tenants", token: op).status == .ok)
            let (_, newKey) = try await w.s.store.resetOperatorKey("root")
            #expect(try await client.get("/api/v1/admin/tenants", token: op).errorCode == "unknown_signing_key")
            #expect(try await client.operatorToken("root", w.operatorKey) == nil)
            let fresh = try #require(try await client.operatorToken("root", newKey))
            #expect(try await client.postJSON("/api/v1/auth/logout", "", token: fresh).status == .noContent)
            #expect(try await client.get("/api/v1/admin/tenants", token: fresh).errorCode == "token_revoked")
        }
    }

    @Test("operator actions are audited with the operator; a tenant admin's audit view shows what concerns its tenant only")
    func auditByPrincipal() async throws {
        let w = try await World()
        try await w.s.app().test(.router) { client in
            let op = try #require(try await client.operatorToken("root", w.operatorKey))
            #expect(try await client.postJSON("/api/v1/admin/keys/\(w.keyA.id)/revoke", "", token: op).status == .ok)
            #expect(try await client.postJSON("/api/v1/admin/keys/\(w.keyB.id)/revoke", "", token: op).status == .ok)
            let a = try #require(try await client.token("org_a", w.adminA))
            let events = try #require(try await client.get("/api/v1/admin/audit", token: a).json?["events"] as? [[String: Any]])
            let revokes = events.filter { $0["action"] as? String == "key.revoke" }
            #expect(revokes.map { $0["target"] as? String } == [w.keyA.id])
            #expect(revokes.first?["actor"] as? String == "operator" && revokes.first?["operator_id"] as? String == "root")
            #expect(events.allSatisfy { $0["tenant_id"] as? String == "org_a" || $0["target_tenant"] as? String == "org_a" })
            let all = try #require(try await client.get("/api/v1/admin/audit", token: op).json?["events"] as? [[String: Any]])
            #expect(all.filter { $0["action"] as? String == "key.revoke" }.count == 2)
        }
    }

    @Test("an existing database's global admin scope becomes tenant:admin, and plaintext signing secrets are sealed, on open")
    func migratesOldDatabase() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("tenants.sqlite").path
        let secret = Data(repeating: 7, count: 32)
        do {   // a database as the previous release left it
            let old = try DatabaseQueueForTests(path: path)
            try old.migrate(upTo: "v3: key scopes")
            try old.execute("""
                INSERT INTO tenants (id, name, enabled, scopes, allowed_ips, limits, created_at, updated_at)
                  VALUES ('ops', 'Ops', 1, '["admin","translate:basic"]', '[]', '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
                INSERT INTO api_keys (id, tenant_id, prefix, hash, created_at, limits, scopes)
                  VALUES ('key_1', 'ops', 'csk_x', 'h', '2026-01-01 00:00:00', '{}', '["admin"]');
                """)
            try old.insertSecret(kid: "sk_old", tenant: "ops", secret: secret)
        }
        let store = try SQLiteTenantStore(path: path)
        #expect(try await store.tenant("ops")?.scopes == [.tenantAdmin, .translateBasic])
        #expect(try await store.key("key_1")?.scopes == [.tenantAdmin])
        #expect(try await store.signingKey(kid: "sk_old")?.secret == secret)
        let raw = try DatabaseQueueForTests(path: path).secret(kid: "sk_old")
        #expect(raw.starts(with: Data("csmk1".utf8)) && raw.range(of: secret) == nil)
    }
}
