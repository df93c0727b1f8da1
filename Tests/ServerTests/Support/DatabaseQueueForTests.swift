import Foundation
import GRDB
@testable import Server

/// Raw access to a tenant database, for tests that build an old schema or read what is stored on disk.
struct DatabaseQueueForTests {
    let queue: DatabaseQueue
    init(path: String) throws { queue = try DatabaseQueue(path: path) }

    /// Applies the store's migrations up to `name` only (a database as an earlier release left it).
    func migrate(upTo name: String) throws { try SQLiteTenantStore.migrator.migrate(queue, upTo: name) }

    func execute(_ sql: String) throws { try queue.write { try $0.execute(sql: sql) } }

    /// Inserts a signing key as a release before encryption at rest stored it: the secret in plaintext.
    func insertSecret(kid: String, tenant: String, secret: Data) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO signing_keys (kid, tenant_id, secret, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [kid, tenant, secret, Date()])
        }
    }

    /// The secret column of `kid` as stored.
    func secret(kid: String) throws -> Data {
        try queue.read { db in try Data.fetchOne(db, sql: "SELECT secret FROM signing_keys WHERE kid = ?", arguments: [kid]) ?? Data() }
    }
}
