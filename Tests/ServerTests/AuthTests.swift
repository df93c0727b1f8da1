import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing
@testable import Server

@Suite("Tokens, 401/403 paths and scopes")
struct AuthTests {
    @Test("token flow: key → JWT with the documented claims → translate")
    func tokenFlow() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_mkt_001")
        try await s.app().test(.router) { client in
            let r = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_mkt_001", "api_key": "\#(key)"}"#)
            #expect(r.status == .ok)
            #expect(r.json?["token_type"] as? String == "Bearer")
            #expect(r.json?["expires_in"] as? Int == 86_400)
            let token = try #require(r.json?["token"] as? String)
            let header = try TokenService.header(of: token)
            #expect(header.alg == "HS256")
            let payload = try #require(TokenService.base64URLDecode(String(token.split(separator: ".")[1])))
            let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            for claim in ["tid", "scope", "exp", "iat", "nbf", "iss", "aud", "kid", "jti", "key_id"] {
                #expect(claims[claim] != nil, "claim \(claim)")
            }
            #expect(claims["tid"] as? String == "org_mkt_001")
            #expect(!token.contains(key))
            let t = try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: token)
            #expect(t.status == .ok)
            #expect(t.json?["translated_text"] as? String == "[en] 你好")
            #expect((t.json?["usage"] as? [String: Any])?["characters"] as? Int == 2)
            #expect(t.headers[.init("X-Request-Id")!]?.hasPrefix("req_") == true)
        }
    }

    @Test("wrong key and unknown tenant get the same 401")
    func badCredentials() async throws {
        let s = try await TestServer()
        try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let wrong = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "csk_nope"}"#)
            let unknown = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_zzz", "api_key": "csk_nope"}"#)
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials" && unknown.errorCode == "invalid_credentials")
        }
    }

    @Test("missing or malformed Authorization: 401 with WWW-Authenticate")
    func missingHeader() async throws {
        let s = try await TestServer()
        try await s.app().test(.router) { client in
            let none = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#)
            #expect(none.status == .unauthorized && none.errorCode == "missing_credentials")
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let basic = try await client.execute(uri: "/api/v1/translate", method: .post, headers: [.authorization: "Basic abc"],
                                                 body: ByteBuffer(string: "{}"))
            #expect(basic.status == .unauthorized && basic.errorCode == "malformed_authorization")
            #expect(basic.headers[.wwwAuthenticate] != nil)
            let garbage = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: "not.a.jwt")
            #expect(garbage.status == .unauthorized && garbage.errorCode == "malformed_token")
        }
    }

    @Test("expired, tampered, alg none, wrong audience and issuer: each 401 with its own code")
    func badTokens() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        let signing = try await s.store.currentSigningKey(tenantID: "org_a")
        func forge(aud: String = "csanmt-api", iss: String = "csanmt") async throws -> String {
            let t = s.clock.now
            let claims = TokenClaims(tid: "org_a", scope: "translate:basic", exp: .init(value: t + 600), iat: .init(value: t),
                                     nbf: .init(value: t), iss: .init(value: iss), aud: .init(value: [aud]), kid: signing.kid,
                                     jti: .init(value: "x"), keyID: try await s.store.keys(tenantID: "org_a")[0].id)
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: signing.secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: signing.kid))
            return try await keys.sign(claims, kid: JWKIdentifier(string: signing.kid))
        }
        let wrongAudience = try await forge(aud: "someone-else")
        let wrongIssuer = try await forge(iss: "evil")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            let parts = token.split(separator: ".").map(String.init)
            // Tampered payload: change the scope claim, keep the signature.
            var payload = try #require(TokenService.base64URLDecode(parts[1]))
            payload = Data(String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "translate:basic", with: "tenant:admin").utf8)
            let tamperedPayload = parts[0] + "." + payload.base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + "." + parts[2]
            let noneHeader = Data(#"{"alg":"none","kid":"\#(signing.kid)","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "")
            let algNone = noneHeader + "." + parts[1] + "."
            let cases: [(String, String)] = [
                (tamperedPayload, "invalid_signature"), (algNone, "unsupported_algorithm"),
                (wrongAudience, "invalid_audience"), (wrongIssuer, "invalid_issuer"),
            ]
            for (bad, code) in cases {
                let r = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: bad)
                #expect(r.status == .unauthorized, "\(code)")
                #expect(r.errorCode == code)
            }
            s.clock.advance(86_400 + 1)
            let expired = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: token)
            #expect(expired.status == .unauthorized && expired.errorCode == "token_expired")
        }
    }

    @Test("revoked key and disabled tenant take effect on the next request")
    func revocationIsImmediate() async throws {
        let s = try await TestServer()
        let keyA = try await s.tenant("org_a")
        let keyB = try await s.tenant("org_b")
        try await s.app().test(.router) { client in
            let a = try #require(try await client.token("org_a", keyA))
            let b = try #require(try await client.token("org_b", keyB))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: a).status == .ok)
            try await s.store.revokeKey(try await s.store.keys(tenantID: "org_a")[0].id)
            let revoked = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: a)
            #expect(revoked.status == .unauthorized && revoked.errorCode == "key_revoked")
            #expect(try await client.token("org_a", keyA) == nil)
            try await s.store.updateTenant("org_b", .init(enabled: false))
            let disabled = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: b)
            #expect(disabled.status == .forbidden && disabled.errorCode == "tenant_disabled")
        }
    }

    @Test("another tenant's token on this path, and missing scopes, are 403")
    func tenantAndScope() async throws {
        let s = try await TestServer()
        let keyA = try await s.tenant("org_a", scopes: [.translateBasic])
        try await s.tenant("org_b")
        try await s.app().test(.router) { client in
            let a = try #require(try await client.token("org_a", keyA))
            let own = try await client.postJSON("/api/v1/org_a/translate", #"{"text": "x"}"#, token: a)
            #expect(own.status == .ok)
            let other = try await client.postJSON("/api/v1/org_b/translate", #"{"text": "x"}"#, token: a)
            #expect(other.status == .forbidden && other.errorCode == "tenant_mismatch")
            let batch = try await client.postJSON("/api/v1/translate", #"{"text": ["x", "y"]}"#, token: a)
            #expect(batch.status == .forbidden && batch.errorCode == "insufficient_scope")
            let admin = try await client.get("/api/v1/admin/tenants", token: a)
            #expect(admin.status == .forbidden && admin.errorCode == "insufficient_scope")
        }
    }

    @Test("a scope removed from the tenant stops working even with an older token")
    func scopeRemoval() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_a", key))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": ["x"]}"#, token: token).status == .ok)
            try await s.store.updateTenant("org_a", .init(scopes: [.translateBasic]))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": ["x"]}"#, token: token).status == .forbidden)
        }
    }

    @Test("signing-key rotation: old tokens verify during the grace period, then stop")
    func rotation() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            let old = try #require(try await client.token("org_a", key))
            let oldKid = try TokenService.header(of: old).kid
            try await s.store.rotateSigningKey(tenantID: "org_a")
            let new = try #require(try await client.token("org_a", key))
            #expect(try TokenService.header(of: new).kid != oldKid)
            s.clock.advance(3_600)
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: old).status == .ok)
            s.clock.advance(86_400 - 3_600 + 1)   // grace (24 h) over; the old token has also hit its expiry
            let r = try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: old)
            #expect(r.status == .unauthorized && r.errorCode == "signing_key_retired")
        }
    }
}
