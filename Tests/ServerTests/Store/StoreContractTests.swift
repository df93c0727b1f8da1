import Foundation
import Testing
@testable import Server

/// What every ``TenantStore`` must do, run against SQLite and (when configured) PostgreSQL: the same calls, the
/// same answers.
@Suite("Tenant store, on every backend")
struct StoreContractTests {
    @Test("tenants: create, conflict, read, list, update with the record before and after, validation", arguments: StoreBackend.available)
    func tenants(_ backend: StoreBackend) async throws {
        let f = try await backend.make()
        let s = f.store
        let a = try await s.createTenant(id: "org_b", name: "B", dailyRequests: 50, allowedIPs: ["10.0.0.0/8"])
        try await s.createTenant(id: "org_a", name: "A", scopes: [.usageRead, .translateBasic])
        #expect(try await s.tenant("org_b") == a)
        #expect(try await s.tenant("org_zz") == nil)
        #expect(try await s.tenants().map(\.id) == ["org_a", "org_b"])
        #expect(try await s.tenant("org_a")?.scopes == [.translateBasic, .usageRead])
        await #expect(throws: StoreError.conflict("tenant 'org_a' already exists")) { try await s.createTenant(id: "org_a", name: "again") }
        await #expect { try await s.createTenant(id: "admin", name: "x") } throws: { "\($0)".contains("reserved") }
        await #expect(throws: StoreError.self) { try await s.createTenant(id: "org_neg", name: "x", dailyRequests: -1) }
        await #expect(throws: StoreError.self) { try await s.createTenant(id: "org_nul", name: "a\u{0}b") }   // PostgreSQL's text refuses NUL
        // Listed bytewise by id on both stores ('_' before letters), whatever the database's collation.
        try await s.createTenant(id: "orga", name: "x")
        try await s.createTenant(id: "org_c", name: "x")
        #expect(try await s.tenants().map(\.id) == ["org_a", "org_b", "org_c", "orga"])
        #expect(try await s.tenants().count == 4)
        f.clock.advance(60)
        let (before, after) = try await s.updateTenantReturningPrevious("org_b", TenantChanges(enabled: false, dailyRequests: .some(nil)))
        #expect(before == a)
        #expect(after.enabled == false && after.dailyRequests == nil && after.allowedIPs == ["10.0.0.0/8"])
        #expect(after.updatedAt == a.updatedAt.addingTimeInterval(60))
        #expect(try await s.tenant("org_b") == after)
        await #expect(throws: StoreError.notFound("no tenant 'org_zz'")) { try await s.updateTenant("org_zz", TenantChanges(name: "x")) }
        await #expect(throws: StoreError.self) { try await s.updateTenant("org_b", TenantChanges(allowedIPs: ["not an address"])) }
        #expect(try await s.tenant("org_b") == after, "a refused update changes nothing")
        await f.dispose()
    }

    @Test("keys: scopes within the tenant's, lists, revocation, limits, authentication by tenant and by hash", arguments: StoreBackend.available)
    func keys(_ backend: StoreBackend) async throws {
        let f = try await backend.make()
        let s = f.store
        try await s.createTenant(id: "org_a", name: "A", scopes: [.translateBasic, .usageRead])
        try await s.createTenant(id: "org_b", name: "B")
        let (k1, plain1) = try await s.createKey(tenantID: "org_a", scopes: [.translateBasic])
        f.clock.advance(1)
        let (k2, plain2) = try await s.createKey(tenantID: "org_a", expiresInDays: 30, limits: KeyLimits(requestsPerSecond: 3))
        let (kb, _) = try await s.createKey(tenantID: "org_b")
        await #expect { try await s.createKey(tenantID: "org_a", scopes: [.tenantAdmin]) } throws: { "\($0)".contains("among its tenant's") }
        await #expect(throws: StoreError.notFound("no tenant 'org_zz'")) { try await s.createKey(tenantID: "org_zz") }
        #expect(try await s.keys(tenantID: "org_a").map(\.id) == [k1.id, k2.id])
        #expect(Set(try await s.keys().map(\.id)) == [k1.id, k2.id, kb.id])
        #expect(try await s.key(k2.id) == k2)
        #expect(k2.expiresAt == k2.createdAt.addingTimeInterval(30 * 86_400))

        // By tenant: the right key, its use recorded; a wrong key or another tenant's id finds nothing.
        f.clock.advance(10)
        let found = try await s.authenticate(tenantID: "org_a", plaintext: plain2)
        #expect(found?.id == k2.id && found?.lastUsedAt == f.clock.now)
        #expect(try await s.key(k2.id)?.lastUsedAt == f.clock.now)
        #expect(try await s.authenticate(tenantID: "org_b", plaintext: plain2) == nil)
        #expect(try await s.authenticate(tenantID: "org_a", plaintext: plain2 + "x") == nil)
        // By hash alone (the drop-in APIs): use recorded at most once a minute.
        let t0 = f.clock.now
        #expect(try await s.authenticate(plaintext: plain1)?.id == k1.id)
        #expect(try await s.key(k1.id)?.lastUsedAt == t0)
        f.clock.advance(30)
        _ = try await s.authenticate(plaintext: plain1)
        #expect(try await s.key(k1.id)?.lastUsedAt == t0, "not written again within the minute")
        f.clock.advance(31)
        _ = try await s.authenticate(plaintext: plain1)
        #expect(try await s.key(k1.id)?.lastUsedAt == f.clock.now)
        #expect(try await s.authenticate(plaintext: "csk_nothing") == nil)

        let (limitsBefore, limitsAfter) = try await s.setKeyLimits(k1.id, KeyLimits(requestsPerSecond: 1, burst: 2))
        #expect(limitsBefore.limits == KeyLimits() && limitsAfter.limits == KeyLimits(requestsPerSecond: 1, burst: 2))
        #expect(try await s.key(k1.id)?.limits == limitsAfter.limits)
        let revoked = try await s.revokeKey(k1.id)
        #expect(revoked.revokedAt == f.clock.now)
        f.clock.advance(5)
        #expect(try await s.revokeKey(k1.id).revokedAt == revoked.revokedAt, "revoking twice keeps the first time")
        #expect(try await s.key(k1.id)?.isActive(at: f.clock.now) == false)
        await #expect(throws: StoreError.notFound("no key 'key_nope'")) { try await s.revokeKey("key_nope") }
        await f.dispose()
    }

    @Test("signing keys: sealed at rest, rotation with grace, immediate rotation, purge, auth records", arguments: StoreBackend.available)
    func signingKeys(_ backend: StoreBackend) async throws {
        let f = try await backend.make()
        let s = f.store
        try await s.createTenant(id: "org_a", name: "A")
        let (key, _) = try await s.createKey(tenantID: "org_a")
        let first = try await s.currentSigningKey(tenantID: "org_a")
        #expect(first.secret.count == 32)
        #expect(try await s.signingKey(kid: first.kid) == first)
        #expect(try await f.storedSecrets().allSatisfy { MasterKeyring.isSealed($0) && !$0.contains(first.secret) }, "secrets are stored sealed")

        f.clock.advance(10)
        let second = try await s.rotateSigningKey(tenantID: "org_a")
        #expect(try await s.currentSigningKey(tenantID: "org_a") == second)
        #expect(try await s.signingKey(kid: first.kid)?.retiredAt == f.clock.now, "the old key keeps verifying, retired")
        #expect(try await s.purgeRetiredSigningKeys(grace: 86_400) == 0)
        f.clock.advance(86_401)
        #expect(try await s.purgeRetiredSigningKeys(grace: 86_400) == 1)
        #expect(try await s.signingKey(kid: first.kid) == nil)
        let third = try await s.rotateSigningKey(tenantID: "org_a", immediate: true)
        #expect(try await s.signingKey(kid: second.kid) == nil, "an immediate rotation deletes the old secrets")
        #expect(try await s.currentSigningKey(tenantID: "org_a").kid == third.kid)
        await #expect(throws: StoreError.notFound("no tenant 'org_zz'")) { try await s.rotateSigningKey(tenantID: "org_zz") }

        let records = try await s.authRecords(keyID: key.id, tenantID: "org_a")
        #expect(records.apiKey == key && records.tenant?.id == "org_a")
        let none = try await s.authRecords(keyID: "key_nope", tenantID: "org_zz")
        #expect(none.apiKey == nil && none.tenant == nil)
        await f.dispose()
    }

    @Test("operators: create, conflict, disable, reset key, authenticate, signing keys", arguments: StoreBackend.available)
    func operators(_ backend: StoreBackend) async throws {
        let f = try await backend.make()
        let s = f.store
        let (op, plain) = try await s.createOperator(id: "root", name: "Root")
        #expect(op.prefix == String(plain.prefix(10)) && plain.hasPrefix("cso_"))
        await #expect(throws: StoreError.conflict("operator 'root' already exists")) { try await s.createOperator(id: "root", name: "x") }
        #expect(try await s.operators().map(\.id) == ["root"])
        f.clock.advance(3)
        #expect(try await s.authenticateOperator(id: "root", plaintext: plain)?.lastUsedAt == f.clock.now)
        #expect(try await s.authenticateOperator(id: "root", plaintext: plain + "x") == nil)
        #expect(try await s.authenticateOperator(id: "nobody", plaintext: plain) == nil)
        let signing = try await s.operatorSigningKey(operatorID: "root")
        #expect(try await s.operatorSigningKey(kid: signing.kid) == signing)
        let (_, disabled) = try await s.setOperatorDisabled("root", true)
        #expect(disabled.disabledAt == f.clock.now)
        #expect(try await s.operator("root")?.disabledAt == f.clock.now)
        #expect(try await s.setOperatorDisabled("root", false).after.disabledAt == nil)
        let (_, newPlain) = try await s.resetOperatorKey("root")
        #expect(try await s.authenticateOperator(id: "root", plaintext: plain) == nil, "the old key stops working")
        #expect(try await s.authenticateOperator(id: "root", plaintext: newPlain) != nil)
        #expect(try await s.operatorSigningKey(kid: signing.kid) == nil, "and every token it signed")
        await f.dispose()
    }

    @Test("master key rotation: secrets re-encrypted under the first key, counted by key id", arguments: StoreBackend.available)
    func reencrypt(_ backend: StoreBackend) async throws {
        let old = MasterKeyring.newKeyText(), new = MasterKeyring.newKeyText()
        let oldRing = try MasterKeyring(base64Keys: [old]), both = try MasterKeyring(base64Keys: [new, old])
        let f = try await backend.make(keyring: oldRing)
        try await f.store.createTenant(id: "org_a", name: "A")
        try await f.store.createOperator(id: "root", name: "Root")
        #expect(try await f.store.secretKeyIDs() == [oldRing.currentID: 2])
        let secret = try await f.store.currentSigningKey(tenantID: "org_a").secret
        // The same rows through a keyring holding both keys, the new one first.
        let rotated: any TenantStore
        if let sqlite = f.store as? SQLiteTenantStore {
            rotated = try SQLiteTenantStore(path: sqlite.path, keyring: both, now: { f.clock.now })
        } else {
            let pg = f.store as! PostgresTenantStore
            rotated = try await PostgresTenantStore.open(pg.url, keyring: both, now: { f.clock.now })
        }
        #expect(try await rotated.reencryptSecrets() == 2)
        #expect(try await rotated.secretKeyIDs() == [both.currentID: 2])
        #expect(try await rotated.currentSigningKey(tenantID: "org_a").secret == secret)
        await #expect(throws: StoreError.self) { try await f.store.currentSigningKey(tenantID: "org_a") }   // the old ring alone
        await rotated.close()
        await f.dispose()
    }

    @Test("export and import: a whole store copied into an empty one reads back identical; a store in use is refused",
          arguments: StoreBackend.available)
    func copy(_ backend: StoreBackend) async throws {
        let keyring = try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()])
        let source = try await StoreBackend.sqlite.make(keyring: keyring)
        try await source.store.createTenant(id: "org_a", name: "A", dailyCharacters: 1_000, limits: TenantLimits(weight: 3))
        try await source.store.createTenant(id: "org_b", name: "B", enabled: false)
        _ = try await source.store.createKey(tenantID: "org_a", limits: KeyLimits(charactersPerMinute: 500), scopes: [.translateBasic])
        _ = try await source.store.revokeKey(try await source.store.createKey(tenantID: "org_b").0.id)
        try await source.store.rotateSigningKey(tenantID: "org_a")
        let (_, opKey) = try await source.store.createOperator(id: "root", name: "Root")

        let target = try await backend.make(keyring: keyring)
        let copied = try await target.store.copy(from: source.store)
        #expect(copied.tenants.count == 2 && copied.keys.count == 2 && copied.signingKeys.count == 3 && copied.operators.count == 1)
        #expect(try await target.store.exportAll() == copied)
        #expect(try await target.store.authenticateOperator(id: "root", plaintext: opKey) != nil)
        #expect(try await target.store.currentSigningKey(tenantID: "org_a") == (try await source.store.currentSigningKey(tenantID: "org_a")))
        await #expect(throws: StoreError.self) { try await target.store.importAll(copied) }   // not empty any more

        let otherKey = try await backend.make()   // another master key: refused before anything is written
        await #expect { try await otherKey.store.copy(from: source.store) } throws: { error in
            if case StoreError.secrets = error { return true } else { return false }
        }
        #expect(try await otherKey.store.tenants().isEmpty)
        await otherKey.dispose()
        await target.dispose()
        await source.dispose()
    }
}
