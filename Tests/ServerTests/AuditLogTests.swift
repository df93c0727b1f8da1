import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite("Audit log file")
struct AuditLogTests {
    @Test("rotates by size, keeping the configured number of old files, losing no line")
    func rotation() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("audit.log").path
        let log = try AuditLog(.init(path: path, maxBytes: 1_000, keepFiles: 2))
        for i in 0..<40 {
            log.write(AuditEvent(time: Date(timeIntervalSince1970: 0), requestID: "req_\(i)", method: "GET",
                                 path: "/api/health", status: 200, latencyMs: 0.1))
        }
        log.flush()
        let files = [path, path + ".1", path + ".2"]
        for f in files { #expect(FileManager.default.fileExists(atPath: f), "\(f)") }
        #expect(!FileManager.default.fileExists(atPath: path + ".3"))
        for f in files {
            let size = (try FileManager.default.attributesOfItem(atPath: f)[.size] as? Int) ?? 0
            #expect(size <= 1_000)
        }
        // The newest lines are in the current file, in order, each a complete JSON object.
        let current = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let last = try #require(current.last)
        let obj = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        #expect(obj?["request_id"] as? String == "req_39")
        // Reopening appends instead of truncating.
        let reopened = try AuditLog(.init(path: path, maxBytes: 1_000_000))
        reopened.write(AuditEvent(time: Date(), requestID: "req_after", method: "GET", path: "/x", status: 200, latencyMs: 0))
        reopened.flush()
        let after = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(after.count == current.count + 1)
    }
}

/// The hash chain (tamper evidence), the non-blocking writer and what is audited.
@Suite("Audit trail integrity")
struct AuditTrailTests {
    static func dir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func event(_ i: Int) -> AuditEvent {
        AuditEvent(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)), requestID: "req_\(i)", tenantID: "org_a",
                   method: "POST", path: "/api/v1/translate", status: 200, latencyMs: 1.5, characters: i)
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func verify(_ lines: [String]) -> AuditChain.Verdict { AuditChain.verify(Data((lines.joined(separator: "\n") + "\n").utf8)) }

    @Test("verify passes on an untouched file and names the line after an edit, a deleted line and a reordering")
    func chain() async throws {
        let d = try Self.dir()
        defer { try? FileManager.default.removeItem(at: d) }
        let path = d.appendingPathComponent("audit.log").path
        let log = try AuditLog(.init(path: path))
        for i in 0..<10 { log.write(Self.event(i)) }
        log.flush()
        // A restart continues the chain in the same file.
        let again = try AuditLog(.init(path: path))
        for i in 10..<12 { again.write(Self.event(i)) }
        again.flush()
        let lines = try Self.lines(path)
        #expect(lines.count == 12)
        #expect(Self.verify(lines) == .intact(lines: 12, start: ""))
        #expect(lines[10].contains(#""prev":""#), "a restart states where it continues from")

        var edited = lines
        edited[4] = edited[4].replacingOccurrences(of: #""status":200"#, with: #""status":403"#)
        #expect(Self.verify(edited) == .broken(line: 5, reason: "its hash does not match: it was edited or inserted, or the line before it was removed or moved"))
        var deleted = lines
        deleted.remove(at: 6)
        guard case .broken(line: 7, _) = Self.verify(deleted) else { Issue.record("deletion not found: \(Self.verify(deleted))"); return }
        var reordered = lines
        reordered.swapAt(2, 3)
        guard case .broken(line: 3, _) = Self.verify(reordered) else { Issue.record("reordering not found"); return }
        var forged = lines
        forged[8] = forged[8].replacingOccurrences(of: #""characters":8"#, with: #""characters":9"#)
        guard case .broken(line: 9, _) = Self.verify(forged) else { Issue.record("edit not found"); return }
        var firstEdited = lines
        firstEdited[0] = firstEdited[0].replacingOccurrences(of: "req_0", with: "req_X")
        guard case .broken(line: 1, _) = Self.verify(firstEdited) else { Issue.record("edit of line 1 not found"); return }
    }

    @Test("the chain continues across rotated files")
    func chainAcrossRotation() async throws {
        let d = try Self.dir()
        defer { try? FileManager.default.removeItem(at: d) }
        let path = d.appendingPathComponent("audit.log").path
        let log = try AuditLog(.init(path: path, maxBytes: 2_000, keepFiles: 3))
        for i in 0..<12 { log.write(Self.event(i)) }
        log.flush()
        let older = try #require(FileManager.default.contents(atPath: path + ".1"))
        let newer = try #require(FileManager.default.contents(atPath: path))
        guard case .intact(_, let olderStart) = AuditChain.verify(older), case .intact(_, let start) = AuditChain.verify(newer) else {
            Issue.record("a rotated file does not verify"); return
        }
        #expect(!olderStart.isEmpty || FileManager.default.fileExists(atPath: path + ".2") == false)
        #expect(start == AuditChain.lastChain(older), "the new file continues where the rotated one ended")
    }

    @Test("with the audit sink stalled (a pipe nobody reads) or failing (a full disk), writes return and lines are counted as dropped")
    func neverBlocks() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // The write end stays open: the log's writer thread may still write to it after the test, and a closed
        // descriptor number would be reused by another test's file (its SQLite database, say) and written into.
        defer { close(fds[0]) }
        let metrics = ServerMetrics()
        let stalled = try AuditLog(.init(stdout: true, queueCapacity: 50,
                                         stdoutHandle: FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)))
        stalled.onDroppedLines { metrics.auditDropped($0) }
        for i in 0..<2_000 { stalled.write(Self.event(i)) }   // ~600 KB: far beyond the 64 KiB pipe buffer
        #expect(stalled.droppedLines > 1_000)
        #expect(metrics.exposition().contains("csanmt_audit_dropped_lines_total \(stalled.droppedLines)"))

        let full = try AuditLog(.init(path: "/dev/full"))
        for i in 0..<10 { full.write(Self.event(i)) }
        full.flush()
        #expect(full.droppedLines == 10, "writes to a full disk are counted as dropped")
    }

    @Test("probes leave no audit line; requests complete while the audit sink is stalled")
    func probesAndStalledSink() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // The write end stays open: the log's writer thread may still write to it after the test, and a closed
        // descriptor number would be reused by another test's file (its SQLite database, say) and written into.
        defer { close(fds[0]) }
        let s = try await TestServer()
        let key = try await s.tenant("org_a")
        try await s.app().test(.router) { client in
            #expect(try await client.get("/api/health").status == .ok)
            #expect(try await client.get("/api/ready").status == .ok)
            let token = try #require(try await client.token("org_a", key))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "x"}"#, token: token).status == .ok)
        }
        let paths = try s.auditLines().compactMap { $0["path"] as? String }
        #expect(!paths.contains("/api/health") && !paths.contains("/api/ready"), "\(paths)")
        #expect(paths.contains("/api/v1/translate"))

        let metrics = ServerMetrics()
        let stalledLog = try AuditLog(.init(stdout: true, queueCapacity: 20,
                                            stdoutHandle: FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)))
        let stalled = try await TestServer(metrics: metrics, audit: stalledLog)
        let key2 = try await stalled.tenant("org_b")
        try await stalled.app().test(.router) { client in
            let token = try #require(try await client.token("org_b", key2))
            for i in 0..<600 {
                #expect(try await client.postJSON("/api/v1/translate", #"{"text": "t\#(i)"}"#, token: token).status == .ok)
            }
        }
        #expect(stalledLog.droppedLines > 0)
        #expect(metrics.exposition().contains("csanmt_audit_dropped_lines_total \(stalledLog.droppedLines)"))
    }

    @Test("admin writes record the before and after of each changed field, never secrets")
    func fieldDiffs() async throws {
        let s = try await TestServer()
        let adminKey = try await s.operatorKey()
        try await s.app().test(.router) { client in
            let admin = try #require(try await client.operatorToken("root", adminKey))
            #expect(try await client.postJSON("/api/v1/admin/tenants", #"{"id": "org_d", "name": "D", "daily_requests": 5}"#,
                                              token: admin).status == .created)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(admin)"
            headers[.contentType] = "application/json"
            let patched = try await client.execute(uri: "/api/v1/admin/tenants/org_d", method: .patch, headers: headers,
                                                   body: ByteBuffer(string: #"{"daily_requests": 50, "name": "D", "limits": {"weight": 2}}"#))
            #expect(patched.status == .ok)
            let created = try await client.postJSON("/api/v1/admin/tenants/org_d/keys", "{}", token: admin)
            let plaintext = try #require(created.json?["api_key"] as? String)
            #expect(try await client.postJSON("/api/v1/admin/tenants/org_d/signing-keys/rotate", "{}", token: admin).status == .created)
            let keyID = try #require((created.json?["key"] as? [String: Any])?["id"] as? String)
            #expect(try await client.postJSON("/api/v1/admin/keys/\(keyID)/revoke", "{}", token: admin).status == .ok)

            let lines = try s.auditLines()
            func changes(_ action: String) -> [String: [String: String]]? {
                lines.last { $0["action"] as? String == action }?["changes"] as? [String: [String: String]]
            }
            let update = try #require(changes("tenant.update"))
            #expect(update["daily_requests"] == ["before": "5", "after": "50"])
            #expect(update["limits"] == ["before": "{}", "after": #"{"weight":2}"#])
            #expect(update["name"] == nil, "unchanged fields are not listed")
            #expect(changes("tenant.create")?["id"] == ["after": #""org_d""#])
            let keyCreate = try #require(changes("key.create"))
            #expect(keyCreate["id"]?["after"] == "\"\(keyID)\"")
            #expect(changes("key.revoke")?["revoked_at"]?["before"] == nil && changes("key.revoke")?["revoked_at"]?["after"] != nil)
            #expect(changes("signing_key.rotate")?["kid"]?["after"]?.hasPrefix(#""sk_"#) == true)
            let text = (try? String(contentsOfFile: s.auditPath, encoding: .utf8)) ?? ""
            #expect(!text.contains(plaintext) && !text.contains("\"hash\"") && !text.contains("secret"), "no secret in the audit log")
        }
    }

    @Test("a documented path with another method answers 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let s = try await TestServer()
        try await s.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/translate", method: .delete)
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers[.allow] == "POST")
            #expect(r.errorCode == "method_not_allowed")
            let tenant = try await client.execute(uri: "/api/v1/admin/tenants/org_x", method: .put)
            #expect(tenant.status == .methodNotAllowed)
            #expect(tenant.headers[.allow] == "GET, PATCH")
            let root = try await client.execute(uri: "/", method: .post)
            #expect(root.status == .methodNotAllowed && root.headers[.allow] == "GET", "the root path too")
            #expect(try await client.execute(uri: "/api/v1/nothing", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/admin/tenants/a/b/c", method: .get).status == .notFound)
        }
    }
}
