import Foundation
import Logging
import PostgresNIO

/// The audit trail of a cluster: every replica's events in PostgreSQL's `audit_events`, so the admin audit view
/// (`GET /api/v1/admin/audit`) shows them all, whichever replica answers.
///
/// Requests never wait for the database: ``enqueue(_:)`` appends to a bounded queue and returns. One task inserts
/// the queue in batches (one statement per batch of up to ``batchSize`` events). When an insert fails (the
/// database is down or restarting), the batch is appended to a spool file and retried from there once the
/// database answers again, oldest first; each event carries a `line_id` made when it was queued, so a batch
/// written twice (a replay after a timeout that did commit) is stored once. A spool left by a crashed or stopped
/// replica is replayed at the next start. Only a queue that overflows (``capacity`` events waiting) drops events,
/// counted in ``droppedLines`` like the file log's.
public final class CentralAuditTrail: @unchecked Sendable {
    /// One row of `audit_events`, as queued, spooled and inserted.
    struct Row: Codable, Sendable {
        let lineID: UUID
        let time: Date
        let replica: String
        let tenantID: String?
        let targetTenant: String?
        let event: AuditEvent
        enum CodingKeys: String, CodingKey {
            case time, replica, event
            case lineID = "line_id", tenantID = "tenant_id", targetTenant = "target_tenant"
        }

        /// `event` as `replica` writes it, with a new line id.
        init(_ event: AuditEvent, replica: String) {
            self.init(lineID: UUID(), time: event.time, replica: replica, tenantID: event.tenantID, targetTenant: event.targetTenant,
                      event: event)
        }

        init(lineID: UUID, time: Date, replica: String, tenantID: String?, targetTenant: String?, event: AuditEvent) {
            self.lineID = lineID
            self.time = time
            self.replica = replica
            self.tenantID = tenantID
            self.targetTenant = targetTenant
            self.event = event
        }
    }

    public let replica: String
    public let spoolPath: String
    public let batchSize: Int
    public let capacity: Int
    let store: PostgresTenantStore
    private let lock = NSLock()
    private var pending: [Row] = []
    private var busy = false
    private var stopped = false
    private var dropped = 0
    private var spooledNow = 0
    private var lastFailure: ContinuousClock.Instant?
    private var writer: Task<Void, Never>?

    /// `spoolPath` must be on a local disk that survives a restart; it is created (owner-only) when first needed.
    public init(store: PostgresTenantStore, replica: String, spoolPath: String, batchSize: Int = 500, capacity: Int = 100_000) {
        self.store = store
        self.replica = replica
        self.spoolPath = spoolPath
        self.batchSize = batchSize
        self.capacity = capacity
        writer = Task.detached { [weak self] in
            while let trail = self, await trail.writeOnce() {}
        }
    }

    deinit { writer?.cancel() }

    /// Queues one event and returns at once.
    public func enqueue(_ event: AuditEvent) {
        let row = Row(event, replica: replica)
        lock.withLock {
            if pending.count < capacity { pending.append(row) } else { dropped += 1 }
        }
    }

    /// Events dropped because the queue was full.
    public var droppedLines: Int { lock.withLock { dropped } }

    /// Events written to the spool since start (a database outage); they are replayed when it is back.
    public var spooledLines: Int { lock.withLock { spooledNow } }

    /// Waits until the queue is empty and nothing is being written (up to `timeout` seconds): the events are then
    /// in the database or, while it is down, in the spool.
    public func flush(timeout: Double = 10) async {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while ContinuousClock.now < deadline {
            if lock.withLock({ pending.isEmpty && !busy }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the writer (shutdown): what is queued goes to the database if it answers within `timeout` seconds,
    /// else to the spool, so nothing queued is lost.
    public func stop(timeout: Double = 10) async {
        await flush(timeout: timeout)
        lock.withLock { stopped = true }
        writer?.cancel()
        _ = await writer?.value   // the round in progress ends with its batch inserted or spooled
        let rest = lock.withLock { () -> [Row] in
            let rest = pending
            pending.removeAll()
            return rest
        }
        appendToSpool(rest)
    }

    /// One round: waits up to 200 ms for events, replays the spool if the database answers, inserts what is
    /// queued (or spools it). False once stopped.
    private func writeOnce() async -> Bool {
        let (isStopped, waiting) = lock.withLock { (stopped, pending.isEmpty) }
        if isStopped { return false }
        if waiting { try? await Task.sleep(for: .milliseconds(200)) }
        let (batch, recentFailure) = lock.withLock {
            let batch = Array(pending.prefix(batchSize))
            pending.removeFirst(batch.count)
            busy = true
            return (batch, lastFailure.map { ContinuousClock.now - $0 < .seconds(1) } ?? false)
        }
        defer { lock.withLock { busy = false } }
        if recentFailure {
            // The database failed less than a second ago: spool without trying, so a long outage costs no timeouts.
            appendToSpool(batch)
            return !Task.isCancelled
        }
        if hasSpool() {
            do {
                try await replaySpool()
            } catch {
                noteFailure()
                appendToSpool(batch)
                return !Task.isCancelled
            }
        }
        guard !batch.isEmpty else { return !Task.isCancelled }
        do {
            try await insertOrSetAside(batch)
        } catch {
            noteFailure()
            appendToSpool(batch)
        }
        return !Task.isCancelled
    }

    /// Inserts `rows`; when the database refuses the batch itself (not an outage: a value it cannot store, say),
    /// inserts them one by one and sets the refused ones aside in `<spool>.bad`, so one bad event never holds
    /// back the others. Throws only when the database is unreachable.
    func insertOrSetAside(_ rows: [Row]) async throws {
        do {
            try await insert(rows)
        } catch where !PostgresTenantStore.isConnectionFailure(error) {
            var refused = Data()
            for row in rows {
                do {
                    try await insert([row])
                } catch where !PostgresTenantStore.isConnectionFailure(error) {
                    store.logger.error("audit event \(row.event.requestID) refused by the database (\(error)); kept in \(spoolPath).bad")
                    if let line = try? PostgresJSON.encoder.encode(row) { refused.append(line); refused.append(0x0A) }
                }
            }
            try appendBad(refused)
        }
    }

    private func noteFailure() {
        lock.withLock { lastFailure = .now }
    }

    /// One INSERT of `rows` (idempotent by `line_id`).
    func insert(_ rows: [Row]) async throws { try await Self.insert(rows, into: store) }

    /// One INSERT of `rows` into `store`'s `audit_events` (idempotent by `line_id`).
    static func insert(_ rows: [Row], into store: PostgresTenantStore) async throws {
        guard !rows.isEmpty else { return }
        let json = String(decoding: try PostgresJSON.encoder.encode(rows), as: UTF8.self)
        try await store.withConnection { [logger = store.logger] c in
            try await c.query("""
                INSERT INTO audit_events (line_id, time, replica, tenant_id, target_tenant, event)
                SELECT line_id, time, replica, tenant_id, target_tenant, event FROM json_to_recordset(\(json)::json)
                  AS x(line_id uuid, time timestamptz, replica text, tenant_id text, target_tenant text, event jsonb)
                ON CONFLICT (line_id) DO NOTHING
                """, logger: logger)
        }
    }

    // MARK: The spool

    private func hasSpool() -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: spoolPath)[.size] as? Int) ?? 0) > 0
    }

    /// Appends `rows` as JSON lines, synced, so a crash after an outage still finds them. Each append starts with a
    /// newline: a line torn by a crash stays a line of its own instead of swallowing the next event.
    private func appendToSpool(_ rows: [Row]) {
        guard !rows.isEmpty else { return }
        var data = Data([0x0A])
        for row in rows {
            guard let line = try? PostgresJSON.encoder.encode(row) else { continue }
            data.append(line)
            data.append(0x0A)
        }
        do {
            try Self.appendSynced(data, to: spoolPath)
            lock.withLock { spooledNow += rows.count }
        } catch {
            store.logger.error("audit spool \(spoolPath): \(error); \(rows.count) event(s) lost")
            lock.withLock { dropped += rows.count }
        }
    }

    /// Inserts every spooled event, oldest first, then empties the spool. A line that does not decode (a torn
    /// line after a crash) or that the database refuses is kept in `<spool>.bad` for a person to look at; the
    /// spool is emptied only once everything is in the database or there.
    func replaySpool() async throws {
        guard let data = FileManager.default.contents(atPath: spoolPath), !data.isEmpty else { return }
        var rows: [Row] = []
        var bad = Data()
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            if let row = try? PostgresJSON.decoder.decode(Row.self, from: Data(line)) { rows.append(row) } else { bad.append(line); bad.append(0x0A) }
        }
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + batchSize)
            try await insertOrSetAside(Array(rows[start..<end]))
            start = end
        }
        try appendBad(bad)
        // Everything is in the database or set aside: start an empty spool.
        _ = truncate(spoolPath, 0)
        store.logger.notice("audit spool \(spoolPath): \(rows.count) event(s) replayed into the database")
    }

    /// Appends lines to `<spool>.bad`; throws if they could not be written.
    private func appendBad(_ lines: Data) throws {
        guard !lines.isEmpty else { return }
        try Self.appendSynced(lines, to: spoolPath + ".bad")
    }

    /// Appends `data` to `path` (created owner-only) and syncs it; throws unless every byte was written.
    static func appendSynced(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { throw StoreError.invalid("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        guard written == data.count else { throw StoreError.invalid("short write to \(path)") }
    }

    // MARK: Reading

    /// The newest events of every replica, newest first, of one tenant (its requests and the admin actions that
    /// concern it) or all.
    public func recent(tenant: String?, limit: Int) async throws -> [AuditEvent] {
        let jsons = try await store.withConnection { [logger = store.logger] c -> [String] in
            let rows: PostgresRowSequence
            if let tenant {
                rows = try await c.query("""
                    SELECT event::text FROM audit_events WHERE tenant_id = \(tenant) OR target_tenant = \(tenant)
                    ORDER BY time DESC, seq DESC LIMIT \(limit)
                    """, logger: logger)
            } else {
                rows = try await c.query("SELECT event::text FROM audit_events ORDER BY time DESC, seq DESC LIMIT \(limit)", logger: logger)
            }
            var out: [String] = []
            for try await text in rows.decode(String.self) { out.append(text) }
            return out
        }
        return jsons.compactMap { try? PostgresJSON.decoder.decode(AuditEvent.self, from: Data($0.utf8)) }
    }
}
