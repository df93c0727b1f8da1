import ArgumentParser
import Foundation
import Server

/// `--db PATH`, shared by the admin commands.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Tenant database (SQLite); created if missing.", valueName: "PATH"))
    var db: String

    func open() throws -> TenantStore {
        do { return try TenantStore(path: db) } catch { throw CLIError(message: "\(error)") }
    }
}

/// Runs `body`, turning store errors into one clear line.
func adminAction<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as StoreError { throw CLIError(message: "\(e)") }
}

func formatDate(_ d: Date?) -> String {
    guard let d else { return "-" }
    return ISO8601DateFormatter().string(from: d)
}

func describe(_ t: Tenant) -> String {
    """
    id:               \(t.id)
    name:             \(t.name)
    enabled:          \(t.enabled)
    scopes:           \(t.scopes.map(\.rawValue).joined(separator: ","))
    daily requests:   \(t.dailyRequests.map(String.init) ?? "unlimited")
    daily characters: \(t.dailyCharacters.map(String.init) ?? "unlimited")
    allowed IPs:      \(t.allowedIPs.isEmpty ? "any" : t.allowedIPs.joined(separator: ", "))
    created:          \(formatDate(t.createdAt))
    updated:          \(formatDate(t.updatedAt))
    """
}

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants (teams sharing the service).",
        discussion: """
            Examples:
              csanmt tenant create --db csanmt.sqlite --id org_mkt_001 --name "Marketing" --daily-requests 10000 \\
                  --daily-characters 2000000 --scopes translate:basic,translate:batch,usage:read --allow-ip 10.0.0.0/8
              csanmt tenant list --db csanmt.sqlite
              csanmt tenant disable --db csanmt.sqlite --id org_mkt_001
            """,
        subcommands: [Create.self, List.self, Show.self, Enable.self, Disable.self, Update.self, RotateSecret.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id, [a-z0-9_]{3,64}.") var id: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Daily request quota (default unlimited).") var dailyRequests: Int?
        @Option(help: "Daily character quota, in Unicode code points (default unlimited).") var dailyCharacters: Int?
        @Option(help: "Comma-separated scopes: translate:basic, translate:batch, usage:read, admin.")
        var scopes = "translate:basic,translate:batch,usage:read"
        @Option(name: .customLong("allow-ip"), help: "Allowed client address or CIDR (repeatable; default any).")
        var allowIP: [String] = []

        func run() throws {
            let store = try database.open()
            let t = try adminAction {
                try store.createTenant(id: id, name: name, scopes: try Scope.parseList(scopes), dailyRequests: dailyRequests,
                                       dailyCharacters: dailyCharacters, allowedIPs: allowIP)
            }
            print(describe(t))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            let tenants = try adminAction { try database.open().tenants() }
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                e.dateEncodingStrategy = .iso8601
                print(String(decoding: try e.encode(tenants), as: UTF8.self))
                return
            }
            print("ID".padding(toLength: 24, withPad: " ", startingAt: 0) + "ENABLED  REQ/DAY     CHARS/DAY   NAME")
            for t in tenants {
                let cols = [t.id.padding(toLength: 24, withPad: " ", startingAt: 0),
                            (t.enabled ? "yes" : "no").padding(toLength: 9, withPad: " ", startingAt: 0),
                            (t.dailyRequests.map(String.init) ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0),
                            (t.dailyCharacters.map(String.init) ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0), t.name]
                print(cols.joined())
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() throws {
            guard let t = try adminAction({ try database.open().tenant(id) }) else { throw CLIError(message: "no tenant '\(id)'") }
            print(describe(t))
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a tenant.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() throws { print(describe(try adminAction { try database.open().updateTenant(id, .init(enabled: true)) })) }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a tenant: its tokens stop working on the next request.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() throws { print(describe(try adminAction { try database.open().updateTenant(id, .init(enabled: false)) })) }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a tenant's name, quotas, scopes or IP allow-list.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        @Option(help: "New display name.") var name: String?
        @Option(help: "Daily request quota; 0 blocks, 'unlimited' removes it.") var dailyRequests: String?
        @Option(help: "Daily character quota; 'unlimited' removes it.") var dailyCharacters: String?
        @Option(help: "Comma-separated scopes (replaces the list).") var scopes: String?
        @Option(name: .customLong("allow-ip"), help: "Allowed address or CIDR (repeatable; replaces the list).")
        var allowIP: [String] = []
        @Flag(name: .customLong("allow-any-ip"), help: "Remove the IP allow-list.") var allowAnyIP = false

        func quota(_ text: String?, _ label: String) throws -> Int?? {
            guard let text else { return nil }
            if text == "unlimited" { return .some(nil) }
            guard let n = Int(text), n >= 0 else { throw CLIError(message: "--\(label) must be a number ≥ 0 or 'unlimited'") }
            return .some(n)
        }

        func run() throws {
            let changes = TenantStore.TenantChanges(
                name: name, scopes: try scopes.map { text in try adminAction { try Scope.parseList(text) } },
                dailyRequests: try quota(dailyRequests, "daily-requests"), dailyCharacters: try quota(dailyCharacters, "daily-characters"),
                allowedIPs: allowAnyIP ? [] : (allowIP.isEmpty ? nil : allowIP))
            print(describe(try adminAction { try database.open().updateTenant(id, changes) }))
        }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Start a new token-signing key; tokens signed with the old one verify during the grace period.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() throws {
            let k = try adminAction { try database.open().rotateSigningKey(tenantID: id) }
            print("new signing key \(k.kid) for \(id)")
        }
    }
}

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage API keys.",
        discussion: """
            A key is shown once, at creation, and stored only as a hash. Rotate by creating a new key, moving clients to
            it, then revoking the old one.
              csanmt key create --db csanmt.sqlite --tenant org_mkt_001 --expires-in 90
              csanmt key list --db csanmt.sqlite --tenant org_mkt_001
              csanmt key revoke --db csanmt.sqlite --id key_3kT9aB2cD4eF
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is printed alone on the last line.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var tenant: String
        @Option(name: .customLong("expires-in"), help: "Days until the key expires (default never).") var expiresIn: Int?
        func run() throws {
            let (key, plaintext) = try adminAction { try database.open().createKey(tenantID: tenant, expiresInDays: expiresIn) }
            print("created \(key.id) for \(tenant), expires \(formatDate(key.expiresAt)); store it now, it is not shown again:")
            print(plaintext)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this tenant's keys.") var tenant: String?
        func run() throws {
            for k in try adminAction({ try database.open().keys(tenantID: tenant) }) {
                let state = k.revokedAt != nil ? "revoked" : (k.isActive(at: Date()) ? "active" : "expired")
                print("\(k.id)  \(k.tenantId)  \(k.prefix)…  \(state)  created \(formatDate(k.createdAt))  last used \(formatDate(k.lastUsedAt))  expires \(formatDate(k.expiresAt))")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; effective on the next request.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Key id (key_…).") var id: String
        func run() throws {
            let k = try adminAction { try database.open().revokeKey(id) }
            print("revoked \(k.id) (\(k.tenantId))")
        }
    }
}
