import Foundation
import Logging
import PostgresNIO

/// Signing secrets at rest in PostgreSQL: master key rotation and its progress.
extension PostgresTenantStore {
    public func reencryptSecrets() async throws -> Int {
        try await transaction { [logger] c in
            var count = 0
            for k in try await c.records(SigningKey.self, "SELECT row_to_json(t)::text FROM signing_keys t FOR UPDATE", logger: logger) {
                try await c.update(try self.sealed(try self.opened(k)), logger: logger)
                count += 1
            }
            for k in try await c.records(OperatorSigningKey.self, "SELECT row_to_json(t)::text FROM operator_signing_keys t FOR UPDATE",
                                         logger: logger) {
                try await c.update(try self.sealed(try self.opened(k)), logger: logger)
                count += 1
            }
            return count
        }
    }

    public func secretKeyIDs() async throws -> [String: Int] {
        let blobs = try await withConnection { [logger] c -> [Data] in
            var out: [Data] = []
            for try await b in try await c.query("SELECT secret FROM signing_keys UNION ALL SELECT secret FROM operator_signing_keys",
                                                 logger: logger).decode(Data.self) { out.append(b) }
            return out
        }
        var out: [String: Int] = [:]
        for blob in blobs { out[Self.masterKeyID(ofSealed: blob), default: 0] += 1 }
        return out
    }
}
