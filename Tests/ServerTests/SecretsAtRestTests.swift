import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server
@testable import Translation

/// Signing secrets are encrypted with the master keyring; rotation through a two-key ring.
@Suite("Secrets at rest", .enabled(if: TestServer.backend == .sqlite, "reads and reopens the SQLite file; both stores: StoreContractTests"))
struct SecretsAtRestTests {
    static func tempDB() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("tenants.sqlite").path
    }

    @Test("stored secrets are sealed: the database holds no plaintext secret, and each opens only on its own row")
    func sealedOnDisk() async throws {
        let path = try Self.tempDB()
        let store = try SQLiteTenantStore(path: path, keyring: try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()]))
        try await store.createTenant(id: "org_a", name: "A")
        let key = try await store.currentSigningKey(tenantID: "org_a")
        #expect(key.secret.count == 32)
        let raw = try DatabaseQueueForTests(path: path).secret(kid: key.kid)
        #expect(raw.starts(with: Data("csmk1".utf8)))
        #expect(raw.range(of: key.secret) == nil)
        // A sealed secret moved onto another row does not open (the kid is authenticated).
        #expect(throws: StoreError.self) { try store.keyring.decrypt(raw, kid: "sk_other") }
        let (_, _) = try await store.createOperator(id: "root", name: "Root")
        #expect(try await store.operatorSigningKey(operatorID: "root").secret.count == 32)
        #expect(try await store.secretKeyIDs() == [store.keyring.currentID: 2])
    }

    @Test("the wrong master key is a server fault (500, details only in the log), not a client error")
    func wrongKey() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        let other = try SQLiteTenantStore(path: s.dir.appendingPathComponent("tenants.sqlite").path, keyring: try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()]))
        await #expect { try await other.currentSigningKey(tenantID: "org_a") } throws: { error in
            guard case StoreError.secrets(let m) = error else { return false }
            return m.contains("not in this keyring")
        }
        let env = try ServerEnvironment(config: s.env.config, store: other, translator: EchoTranslator(), audit: nil)
        try await Application(router: ServerApp.makeRouter(env)).test(.router) { client in
            let r = try await client.postJSON("/api/v1/auth/token", #"{"tenant_id": "org_a", "api_key": "\#(key)"}"#)
            #expect(r.status == .internalServerError && r.errorCode == "internal_error")
            #expect(!r.text.contains("keyring"))
        }
    }

    @Test("rotation: a ring of new and old keys opens every secret; re-encryption moves them all to the new key")
    func rotation() async throws {
        let path = try Self.tempDB()
        let old = MasterKeyring.newKeyText(), new = MasterKeyring.newKeyText()
        let before = try SQLiteTenantStore(path: path, keyring: try MasterKeyring(base64Keys: [old]))
        try await before.createTenant(id: "org_a", name: "A")
        let secret = try await before.currentSigningKey(tenantID: "org_a").secret

        let both = try SQLiteTenantStore(path: path, keyring: try MasterKeyring(base64Keys: [new, old]))
        #expect(try await both.currentSigningKey(tenantID: "org_a").secret == secret)
        try await both.createTenant(id: "org_b", name: "B")   // written with the new key
        #expect(try await both.secretKeyIDs().count == 2)
        #expect(try await both.reencryptSecrets() == 2)
        #expect(try await both.secretKeyIDs() == [both.keyring.currentID: 2])

        let after = try SQLiteTenantStore(path: path, keyring: try MasterKeyring(base64Keys: [new]))
        #expect(try await after.currentSigningKey(tenantID: "org_a").secret == secret)
        let stale = try SQLiteTenantStore(path: path, keyring: try MasterKeyring(base64Keys: [old]))
        await #expect(throws: StoreError.self) { try await stale.currentSigningKey(tenantID: "org_a") }
    }

    @Test("the keyring comes from $CSANMT_MASTER_KEY, a named file, or a file made beside the database (owner-only)")
    func loading() async throws {
        let path = try Self.tempDB()
        let made = try MasterKeyring.load(environment: [:], file: nil, databasePath: path)
        let file = path + ".master-key"
        let mode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect(try MasterKeyring.load(environment: [:], file: nil, databasePath: path).currentID == made.currentID, "reused, not remade")
        let env = MasterKeyring.newKeyText()
        #expect(try MasterKeyring.load(environment: ["CSANMT_MASTER_KEY": env], file: nil, databasePath: path).currentID
                == MasterKeyring(base64Keys: [env]).currentID)
        let bad = path + ".bad-key"
        try "not a key\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect { try MasterKeyring.load(environment: [:], file: bad, databasePath: path) } throws: { error in
            "\(error)".contains(bad) && "\(error)".contains("base64 of 32 bytes")
        }
        #expect(throws: StoreError.self) { try MasterKeyring.load(environment: [:], file: path + ".missing", databasePath: path) }
    }
}
