import Foundation
import Testing
@testable import Server

/// The cluster's audit trail in PostgreSQL: batched inserts, the spool during an outage, replay without duplicates.
@Suite("Central audit trail", .enabled(if: StoreBackend.postgresURL != nil, "CSANMT_TEST_POSTGRES_URL is not set"))
struct CentralAuditTrailTests {
    static func event(_ i: Int, tenant: String = "org_a") -> AuditEvent {
        AuditEvent(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)), requestID: "req_\(i)", tenantID: tenant,
                   method: "POST", path: "/api/v1/translate", status: 200, latencyMs: 1.5, characters: i)
    }

    @Test("events written while the database is unreachable wait in the spool and are replayed once, in full")
    func spoolAndReplay() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString).jsonl").path
        // A replica whose database does not answer (nothing listens on port 1): every batch goes to the spool.
        let down = PostgresTenantStore(url: try PostgresURL("postgres://csanmt@127.0.0.1:1/csanmt?sslmode=disable", environment: [:]),
                                       keyring: try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()]), now: Date.init,
                                       timeout: .seconds(2), logger: .init(label: "test"))
        let offline = CentralAuditTrail(store: down, replica: "replica-a", spoolPath: spool)
        for i in 0..<1_200 { offline.enqueue(Self.event(i)) }
        // Stopped at once (a shutdown that cannot wait for the database): the round in progress and the queue
        // both end up in the spool.
        await offline.stop(timeout: 0)
        #expect(offline.spooledLines == 1_200 && offline.droppedLines == 0)
        let spooled = try String(contentsOfFile: spool, encoding: .utf8).split(separator: "\n").count
        #expect(spooled == 1_200)
        // A torn last line (a crash in the middle of a write) is set aside, not replayed and not fatal.
        let h = try #require(FileHandle(forWritingAtPath: spool))
        _ = try h.seekToEnd()
        try h.write(contentsOf: Data(#"{"line_id": "torn"#.utf8))
        try h.close()
        await down.close()

        // The database answers again: the next start replays the spool; events queued since are written too.
        let f = try await StoreBackend.postgres.make()
        let store = f.store as! PostgresTenantStore
        let online = CentralAuditTrail(store: store, replica: "replica-a", spoolPath: spool)
        online.enqueue(Self.event(5_000, tenant: "org_b"))
        try await Task.sleep(for: .milliseconds(300))
        await online.flush(timeout: 120)   // generous: other suites can hold the shared threads for a while
        #expect(try await count(store) == 1_201)
        #expect(((try? FileManager.default.attributesOfItem(atPath: spool)[.size] as? Int) ?? -1) == 0, "the spool is empty")
        #expect(try String(contentsOfFile: spool + ".bad", encoding: .utf8).contains("torn"))

        // Replaying the same lines again (a replica that crashed after the insert, before emptying its spool)
        // stores nothing twice: line ids are unique.
        let rows = try (0..<3).map { i in CentralAuditTrail.Row(lineID: UUID(), time: Date(), replica: "r", tenantID: nil, targetTenant: nil,
                                                                   event: Self.event(9_000 + i)) }
        try await online.insert(rows)
        try await online.insert(rows)
        #expect(try await count(store) == 1_204)

        // The admin view: newest first, one tenant's or all, across replicas.
        let recent = try await online.recent(tenant: "org_b", limit: 10)
        #expect(recent.map(\.requestID) == ["req_5000"])
        let all = try await online.recent(tenant: nil, limit: 3)
        #expect(all.count == 3 && all[0].time >= all[1].time && all[1].time >= all[2].time)
        await online.stop()
        await f.dispose()
        try? FileManager.default.removeItem(atPath: spool)
        try? FileManager.default.removeItem(atPath: spool + ".bad")
    }

    @Test("an event the database refuses is set aside; the rest of its batch is written")
    func refusedEvent() async throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString).jsonl").path
        let f = try await StoreBackend.postgres.make()
        let store = f.store as! PostgresTenantStore
        let trail = CentralAuditTrail(store: store, replica: "replica-a", spoolPath: spool)
        var poisoned = Self.event(1)
        poisoned.target = "a\u{0}b"   // jsonb cannot hold NUL: the whole batch is refused (22P05)
        for e in [Self.event(0), poisoned, Self.event(2)] { trail.enqueue(e) }
        try await Task.sleep(for: .milliseconds(300))
        await trail.stop(timeout: 120)
        #expect(try await count(store) == 2)
        #expect(try String(contentsOfFile: spool + ".bad", encoding: .utf8).contains("req_1"))
        #expect(((try? FileManager.default.attributesOfItem(atPath: spool)[.size] as? Int) ?? 0) == 0, "nothing waits in the spool")
        await f.dispose()
        try? FileManager.default.removeItem(atPath: spool + ".bad")
    }

    func count(_ store: PostgresTenantStore) async throws -> Int {
        try await store.withConnection { c in try await c.scalar(Int.self, "SELECT count(*)::bigint FROM audit_events", logger: store.logger) ?? -1 }
    }
}
