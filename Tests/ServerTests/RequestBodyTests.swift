import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Request bodies are closed: an unknown (often misspelt) field is a 400 naming it, never silently ignored.
@Suite("Request bodies")
struct RequestBodyTests {
    @Test("unknown fields are refused with their name, at the top level and in nested limits")
    func unknownFields() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        let opKey = try await s.operatorKey()
        try await s.app().test(.router) { client in
            let badToken = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "\#(key)", "scope": "x"}"#)
            #expect(badToken.status == .badRequest && badToken.text.contains("unknown field 'scope'"))
            let token = try #require(try await client.token("org_a", key))
            let translate = try await client.postJSON("/api/v1/translate", #"{"text": "你好", "target_lang": "en"}"#, token: token)
            #expect(translate.status == .badRequest && translate.text.contains("unknown field 'target_lang'"))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "你好", "source": "zh", "target": "en"}"#, token: token).status == .ok)

            let op = try #require(try await client.operatorToken("root", opKey))
            let tenant = try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_c", "name": "C", "daily_request": 5}"#, token: op)
            #expect(tenant.status == .badRequest && tenant.text.contains("unknown field 'daily_request'"))
            #expect(try await s.store.tenant("org_c") == nil)
            let keyBody = try await client.postJSON("/api/v1/admin/tenants/org_a/keys", #"{"limits": {"requests_per_sec": 1}}"#, token: op)
            #expect(keyBody.status == .badRequest && keyBody.text.contains("unknown field 'requests_per_sec' in 'limits'"))
            let ok = try await client.postJSON("/api/v1/admin/tenants/org_a/keys", #"{"limits": {"requests_per_second": 1}}"#, token: op)
            #expect(ok.status == .created)
        }
    }
}
