import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Sign-out (a deny-list of token ids until they expire), renewal, and short-lived admin tokens.
@Suite("Sessions")
struct SessionTests {
    @Test("a token works before logout and gets 401 token_revoked after; the key's other tokens keep working")
    func logout() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let other = try #require(try await client.token("org_a", key))
            #expect(try await client.get("/api/v1/whoami", token: token).status == .ok)
            #expect(try await client.postJSON("/api/v1/auth/logout", "", token: token).status == .noContent)
            let after = try await client.get("/api/v1/whoami", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "token_revoked")
            #expect(try await client.get("/api/v1/whoami", token: other).status == .ok)
        }
        #expect(try s.auditLines().contains { $0["action"] as? String == "token.revoke" })
    }

    @Test("refresh gives a new token and signs the old one out")
    func refresh() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let r = try await client.postJSON("/api/v1/auth/refresh", "", token: token)
            #expect(r.status == .ok)
            let renewed = try #require(r.json?["token"] as? String)
            #expect(renewed != token)
            #expect(try await client.get("/api/v1/whoami", token: renewed).status == .ok)
            #expect(try await client.get("/api/v1/whoami", token: token).errorCode == "token_revoked")
        }
    }

    @Test("operator and tenant admin tokens expire within 15 minutes; a translate token keeps the configured lifetime")
    func adminTokensAreShortLived() async throws {
        let s = try await TestServer()
        let adminKey = try await s.operatorKey()
        let tenantAdminKey = try await s.tenant("org_t", scopes: [.tenantAdmin])
        let userKey = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let tenantAdmin = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_t", "api_key": "\#(tenantAdminKey)"}"#)
            #expect(tenantAdmin.json?["expires_in"] as? Int == 900)
            let admin = try await client.postJSON("/api/v1/auth/operator-token", #"{"operator_id": "root", "api_key": "\#(adminKey)"}"#)
            #expect(admin.json?["expires_in"] as? Int == 900)
            let user = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "\#(userKey)"}"#)
            #expect(user.json?["expires_in"] as? Int == 86_400)
            let token = try #require(admin.json?["token"] as? String)
            s.clock.advance(899)
            #expect(try await client.get("/api/v1/admin/tenants", token: token).status == .ok)
            s.clock.advance(2)
            let expired = try await client.get("/api/v1/admin/tenants", token: token)
            #expect(expired.status == .unauthorized && expired.errorCode == "token_expired")
        }
    }

    @Test("a sign-out on one replica holds on every replica sharing Redis")
    func logoutIsShared() async throws {
        guard let url = ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-sessions-\(UUID().uuidString)")
        let a = try await TestServer(dbDirectory: dir, redis: RedisClient(url: try RedisURL(url)))
        let b = try await TestServer(dbDirectory: dir, redis: RedisClient(url: try RedisURL(url)))
        let key = try await a.tenant("org_shared")
        let token: String = try await a.app().test(.router) { client in
            let token = try #require(try await client.token("org_shared", key))
            #expect(try await client.postJSON("/api/v1/auth/logout", "", token: token).status == .noContent)
            return token
        }
        try await b.app().test(.router) { client in
            let r = try await client.get("/api/v1/whoami", token: token)
            #expect(r.errorCode == "token_revoked")
        }
    }

    @Test("rotate-secret keeps old tokens for the grace; --immediate ends them at once; retired secrets are purged after the grace")
    func rotation() async throws {
        let s = try await TestServer()
        let adminKey = try await s.operatorKey()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let admin = try #require(try await client.operatorToken("root", adminKey))
            let before = try #require(try await client.token("org_a", key))
            #expect(try await client.postJSON("/api/v1/admin/tenants/org_a/signing-keys/rotate", "", token: admin).status == .created)
            #expect(try await client.get("/api/v1/whoami", token: before).status == .ok, "within the grace period")
            let second = try #require(try await client.token("org_a", key))
            let r = try await client.postJSON("/api/v1/admin/tenants/org_a/signing-keys/rotate?immediate=true", "", token: admin)
            #expect(r.status == .created)
            for old in [before, second] {
                #expect(try await client.get("/api/v1/whoami", token: old).errorCode == "unknown_signing_key")
            }
            let fresh = try #require(try await client.token("org_a", key))
            #expect(try await client.get("/api/v1/whoami", token: fresh).status == .ok)
        }
        #expect(try s.auditLines().contains { $0["action"] as? String == "signing_key.rotate_immediate" })
        // A normal rotation leaves a retired secret; it is purged once the grace has passed.
        try await s.store.rotateSigningKey(tenantID: "org_a", immediate: false, grace: 86_400)
        #expect(try await s.store.purgeRetiredSigningKeys(grace: 86_400) == 0)
        s.clock.advance(86_401)
        #expect(try await s.store.purgeRetiredSigningKeys(grace: 86_400) == 1)
    }

    @Test("a translate-only key of an admin tenant cannot call batch or admin routes; a key's scopes stay within its tenant's")
    func keyScopes() async throws {
        let s = try await TestServer()
        _ = try await s.tenant("org_a", scopes: [.tenantAdmin, .translateBasic, .translateBatch, .usageRead])
        let (_, narrow) = try await s.store.createKey(tenantID: "org_a", scopes: [.translateBasic])
        let (_, wide) = try await s.store.createKey(tenantID: "org_a")
        _ = try await s.tenant("org_b", scopes: [.translateBasic])
        await #expect(throws: StoreError.self) { try await s.store.createKey(tenantID: "org_b", scopes: [.tenantAdmin]) }
        try await s.app().test(.router) { client in
            let t = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "\#(narrow)"}"#)
            #expect(t.json?["expires_in"] as? Int == 86_400, "no admin scope: the normal lifetime")
            let token = try #require(t.json?["token"] as? String)
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: token).status == .ok)
            let batch = try await client.postJSON("/api/v1/translate", #"{"text": ["x", "y"]}"#, token: token)
            #expect(batch.status == .forbidden && batch.errorCode == "insufficient_scope")
            #expect(try await client.get("/api/v1/admin/tenants", token: token).errorCode == "insufficient_scope")
            #expect(try await client.get("/api/v1/usage", token: token).errorCode == "insufficient_scope")
            let whoami = try await client.get("/api/v1/whoami", token: token).json
            #expect(whoami?["scopes"] as? [String] == ["translate:basic"])
            let admin = try #require(try await client.token("org_a", wide))
            #expect(try await client.get("/api/v1/admin/tenants", token: admin).status == .ok)
            // Created through the API: scopes, and the default expiry of 365 days.
            let created = try await client.postJSON("/api/v1/admin/tenants/org_a/keys", #"{"scopes": ["translate:basic"]}"#, token: admin)
            #expect(created.status == .created)
            let key = created.json?["key"] as? [String: Any]
            #expect(key?["scopes"] as? [String] == ["translate:basic"])
            let expires = ISO8601DateFormatter().date(from: key?["expires_at"] as? String ?? "")
            #expect(expires.map { abs($0.timeIntervalSince(s.clock.now) - 365 * 86_400) < 2 } == true)
            let never = try await client.postJSON("/api/v1/admin/tenants/org_a/keys", #"{"expires_in_days": null}"#, token: admin)
            #expect((never.json?["key"] as? [String: Any])?["expires_at"] == nil)
        }
    }
}
