import Foundation

extension AuditLog {
    /// The newest events, newest first: every replica's from the central trail when there is one, else this
    /// replica's file (``recent(tenant:limit:)``).
    public func recentEvents(tenant: String?, limit: Int) async throws -> [AuditEvent] {
        if let central = options.central { return try await central.recent(tenant: tenant, limit: limit) }
        return recent(tenant: tenant, limit: limit)
    }

    /// The newest events of the current log file (not the rotated ones), newest first, optionally of one tenant (its own
    /// requests and the admin actions that concern it).
    /// Reads at most the last 8 MiB. With several replicas each has its own file: ship the files to a central log
    /// store for a complete view (docs/server.md).
    public func recent(tenant: String?, limit: Int) -> [AuditEvent] {
        guard let path = options.path,
              (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
              let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        let window: UInt64 = 8 << 20
        let start = size > window ? size - window : 0
        try? h.seek(toOffset: start)
        let data = (try? h.readToEnd()) ?? Data()
        var lines = data.split(separator: 0x0A)
        if start > 0, !lines.isEmpty { lines.removeFirst() }   // probably cut in the middle
        nonisolated(unsafe) let formatter = ISO8601DateFormatter()   // our own: the writer's is used under its lock
        formatter.formatOptions = ISO8601DateFormatter.audit.formatOptions
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { d in
            let text = try d.singleValueContainer().decode(String.self)
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: d.codingPath, debugDescription: "bad date \(text)"))
            }
            return date
        }
        var events: [AuditEvent] = []
        for line in lines.reversed() where events.count < limit {
            guard let e = try? decoder.decode(AuditEvent.self, from: Data(line)) else { continue }
            if let tenant, e.tenantID != tenant && e.targetTenant != tenant { continue }
            events.append(e)
        }
        return events
    }
}
