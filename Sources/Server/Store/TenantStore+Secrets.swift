import Foundation
import GRDB

/// A stored signing secret, named by its `kid` (a tenant's or an operator's).
protocol SigningSecretRecord {
    var kid: String { get }
    var secret: Data { get set }
}

extension SigningKey: SigningSecretRecord {}
extension OperatorSigningKey: SigningSecretRecord {}

/// Signing secrets at rest: sealed with the store's ``MasterKeyring`` on every write, opened on every read.
extension TenantStore {
    /// `key` with its secret sealed (for writing).
    func sealed<K: SigningSecretRecord>(_ key: K) throws -> K {
        var k = key
        k.secret = try keyring.encrypt(key.secret, kid: key.kid)
        return k
    }

    /// `key` as read, with its secret opened.
    func opened<K: SigningSecretRecord>(_ key: K) throws -> K {
        var k = key
        k.secret = try keyring.decrypt(key.secret, kid: key.kid)
        return k
    }

    /// The master key id that sealed `blob` ("plaintext" for a secret from before encryption at rest).
    static func masterKeyID(ofSealed blob: Data) -> String {
        MasterKeyring.isSealed(blob) && blob.count > 13
            ? String(decoding: blob[(blob.startIndex + 5)..<(blob.startIndex + 13)], as: UTF8.self) : "plaintext"
    }
}

extension SQLiteTenantStore {
    /// Encrypts the secrets written before encryption at rest existed (run on open; a no-op once done).
    func sealPlaintextSecrets() throws {
        try db.write { db in
            for var k in try SigningKey.fetchAll(db) where !MasterKeyring.isSealed(k.secret) {
                k.secret = try keyring.encrypt(k.secret, kid: k.kid)
                try k.update(db)
            }
        }
    }

    /// Re-encrypts every signing secret with the keyring's first key, in one transaction; returns how many.
    /// Step 2 of a master key rotation (docs/server.md): the secrets must open with one of the keyring's keys.
    @discardableResult
    public func reencryptSecrets() throws -> Int {
        try db.write { db in
            var count = 0
            for k in try SigningKey.fetchAll(db) {
                try sealed(try opened(k)).update(db)
                count += 1
            }
            for k in try OperatorSigningKey.fetchAll(db) {
                try sealed(try opened(k)).update(db)
                count += 1
            }
            return count
        }
    }

    /// The master key ids that encrypt the stored secrets, with how many each (to see when a rotation is done).
    public func secretKeyIDs() throws -> [String: Int] {
        try db.read { db in
            var out: [String: Int] = [:]
            let blobs = try Data.fetchAll(db, sql: "SELECT secret FROM signing_keys UNION ALL SELECT secret FROM operator_signing_keys")
            for blob in blobs { out[Self.masterKeyID(ofSealed: blob), default: 0] += 1 }
            return out
        }
    }
}
