import Foundation
import Testing
@testable import Server

@Suite("Audit log file")
struct AuditLogTests {
    @Test("rotates by size, keeping the configured number of old files, losing no line")
    func rotation() throws {
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
