import ArgumentParser
import Foundation
import Server

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with audit log files.",
        discussion: """
            Each audit line carries a hash that covers the line before it, so an edited, inserted, removed or moved
            line breaks the chain there.
              csanmt audit verify /var/log/csanmt/audit.log
              csanmt audit verify audit.log.2 audit.log.1 audit.log     # rotated files, oldest first
            """,
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain of audit files; exit 1 naming the first line that does not follow.",
            discussion: """
                With several files (a log and its rotations, oldest first) each must continue where the one before
                ended. Removing lines at the very end of the newest file cannot be seen from the file alone: keep a \
                copy of the last chain value elsewhere (e.g. the log shipper's) to compare.
                """)
        @Argument(help: ArgumentHelp("Audit log files, oldest first.", valueName: "FILE")) var files: [String]

        func run() throws {
            var previousEnd: String?
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError(message: "cannot read \(file)") }
                switch AuditChain.verify(data) {
                case .broken(let line, let reason):
                    print("\(file): line \(line) does not follow the chain: \(reason)")
                    throw ExitCode(1)
                case .intact(let lines, let start):
                    if let previousEnd, start != previousEnd {
                        print("\(file): does not continue \(files[files.firstIndex(of: file)! - 1]): lines are missing between them")
                        throw ExitCode(1)
                    }
                    previousEnd = AuditChain.lastChain(data) ?? start
                    print("\(file): \(lines) lines, chain intact\(start.isEmpty ? " from the start of the log" : " (continues from \(start.prefix(12))…)")")
                }
            }
        }
    }
}
