import ArgumentParser
import Foundation
import Server

/// `--db PATH`, shared by the admin commands.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Tenant database: a SQLite file (created if missing) or postgres://USER@HOST:PORT/DB (password from $CSANMT_DB_PASSWORD).",
        valueName: "PATH|URL"))
    var db: String
    @Option(name: .customLong("audit-log"), help: ArgumentHelp(
        "Where this command's audit line goes (default: $CSANMT_AUDIT_LOG, else <db>.cli-audit.log; with a postgres:// --db, the central audit table). One file per writer: not the server's.",
        valueName: "PATH"))
    var auditLog: String?
    @Option(name: .customLong("master-key-file"), help: ArgumentHelp(
        "Master key file, as given to `serve` (default: $CSANMT_MASTER_KEY, else <db>.master-key).", valueName: "FILE"))
    var masterKeyFile: String?

    func open() async throws -> any TenantStore {
        try refusePasswordInFlag(db)
        do {
            // Bulk work (re-encrypting every secret) may take longer than a request's 5 s.
            return try await TenantStores.open(db, masterKeyFile: masterKeyFile, timeout: .seconds(600))
        } catch {
            throw CLIError(message: "\(error)")
        }
    }

    /// Records a change made from the command line: actor `cli`, the OS user, the field diff (never secrets), in a
    /// hash-chained file of its own (`csanmt audit verify` checks it). A write that fails is reported, not hidden.
    func audit(_ action: String, target: String?, tenant: String? = nil, changes: [String: FieldChange]) async {
        let event = AuditEvent(time: Date(), requestID: "cli_" + APIKeyCodec.randomBase62(16), tenantID: tenant,
                               method: "CLI", path: CommandLine.arguments.dropFirst().prefix(2).joined(separator: " "),
                               status: 200, latencyMs: 0, action: action, target: target,
                               changes: changes.isEmpty ? nil : changes, actor: "cli", osUser: osUser())
        if PostgresURL.isPostgres(db), auditLog == nil {
            // A cluster's trail is the database's: the line goes where the admin audit view reads every replica's.
            do {
                let url = try PostgresURL(db)
                try await PostgresTenantStore.appendAudit(event, replica: "cli@" + ProcessInfo.processInfo.hostName, url: url)
            } catch {
                FileHandle.standardError.write(Data("warning: no audit line written: \(error)\n".utf8))
            }
            return
        }
        let path = auditLog ?? ProcessInfo.processInfo.environment["CSANMT_AUDIT_LOG"] ?? db + ".cli-audit.log"
        do {
            let log = try AuditLog(.init(path: path))
            log.write(event)
            log.flush()
            if log.droppedLines > 0 { FileHandle.standardError.write(Data("warning: the audit line could not be written to \(path)\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("warning: no audit line written: \(error)\n".utf8))
        }
    }
}

/// The user running the CLI, with the one behind sudo when there is one.
func osUser() -> String {
    let name = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(getuid())"
    if let sudo = ProcessInfo.processInfo.environment["SUDO_USER"], !sudo.isEmpty { return "\(name) (sudo by \(sudo))" }
    return name
}

/// A PostgreSQL password in a flag would show in `ps` and the shell's history: refused, naming where it goes.
func refusePasswordInFlag(_ db: String) throws {
    if PostgresURL.isPostgres(db), PostgresURL.hasPassword(db) {
        throw CLIError(message: "put the database password in CSANMT_DB_PASSWORD or CSANMT_DB_PASSWORD_FILE, not in a flag")
    }
}

/// Runs `body`, turning store errors into one clear line.
func adminAction<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as StoreError { throw CLIError(message: "\(e)") }
}

func describe(_ l: KeyLimits) -> String {
    var parts: [String] = []
    if let r = l.requestsPerSecond { parts.append("\(r) req/s (burst \(l.burst ?? 2 * r))") }
    if let c = l.charactersPerMinute { parts.append("\(c) chars/min") }
    return parts.isEmpty ? "tenant's only" : parts.joined(separator: ", ")
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
    \(describeLimits(t.limits))
    created:          \(formatDate(t.createdAt))
    updated:          \(formatDate(t.updatedAt))
    """
}

/// Weight and limits, each marked "(default)" when the tenant has no value of its own. The defaults shown are the
/// built-in ones; a server started with other `tenant_*` settings applies those instead.
func describeLimits(_ l: TenantLimits) -> String {
    let e = l.resolved(IsolationDefaults())
    func show(_ own: Bool, _ value: String) -> String { own ? value : "\(value) (default)" }
    func limit(_ v: Int?) -> String { v.map(String.init) ?? "unlimited" }
    return [
        "weight:           \(show(l.weight != nil, String(e.weight)))",
        "requests/second:  \(show(l.requestsPerSecond != nil, limit(e.requestsPerSecond))), burst \(show(l.burst != nil, String(e.burst)))",
        "characters/min:   \(show(l.charactersPerMinute != nil, limit(e.charactersPerMinute)))",
        "max in flight:    \(show(l.maxInFlight != nil, limit(e.maxInFlight)))",
        "max queued:       \(show(l.maxQueuedSentences != nil, limit(e.maxQueuedSentences))) sentences",
    ].joined(separator: "\n")
}

/// `--weight`, `--requests-per-second`, … shared by `tenant create` and `tenant update`.
struct TenantLimitOptions: ParsableArguments {
    @Option(help: "Share of the engine under contention, 1-100 (default 1): weight 2 gets twice the share of weight 1.")
    var weight: String?
    @Option(help: "Sustained requests per second (N, 'unlimited', or 'default'; default 10), shared by all replicas.")
    var requestsPerSecond: String?
    @Option(help: "Requests allowed at once above the sustained rate (N or 'default'; default 20).")
    var burst: String?
    @Option(help: "Characters per minute (N, 'unlimited', or 'default'; default 100000).")
    var charactersPerMinute: String?
    @Option(help: "Requests in flight at once on one replica (N, 'unlimited', or 'default'; default 4).")
    var maxInFlight: String?
    @Option(help: "Sentences waiting for the engine on one replica (N, 'unlimited', or 'default'; default 256).")
    var maxQueuedSentences: String?

    /// nil: not given; .some(nil): back to the default.
    func limit(_ text: String?, _ flag: String) throws -> LimitValue?? {
        guard let text else { return nil }
        if text == "default" { return .some(nil) }
        guard let v = LimitValue(text: text) else { throw CLIError(message: "--\(flag) must be a number, 'unlimited' or 'default'") }
        return .some(v)
    }

    func number(_ text: String?, _ flag: String) throws -> Int?? {
        guard let text else { return nil }
        if text == "default" { return .some(nil) }
        guard let n = Int(text) else { throw CLIError(message: "--\(flag) must be a number or 'default'") }
        return .some(n)
    }

    func changes() throws -> TenantLimitChanges {
        TenantLimitChanges(weight: try number(weight, "weight"), maxInFlight: try limit(maxInFlight, "max-in-flight"),
                           maxQueuedSentences: try limit(maxQueuedSentences, "max-queued-sentences"),
                           requestsPerSecond: try limit(requestsPerSecond, "requests-per-second"),
                           burst: try number(burst, "burst"), charactersPerMinute: try limit(charactersPerMinute, "characters-per-minute"))
    }
}

/// `tenant enable|disable`, audited.
func setEnabled(_ database: DatabaseOption, _ id: String, _ enabled: Bool) async throws -> Tenant {
    let (before, after) = try await adminAction { try await database.open().updateTenantReturningPrevious(id, .init(enabled: enabled)) }
    await database.audit(enabled ? "tenant.enable" : "tenant.disable", target: id, tenant: id, changes: FieldChange.diff(before, after))
    return after
}

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants (teams sharing the service).",
        discussion: """
            Examples:
              csanmt tenant create --db csanmt.sqlite --id org_mkt_001 --name "Marketing" --daily-requests 10000 \\
                  --daily-characters 2000000 --scopes translate:basic,translate:batch,usage:read --allow-ip 10.0.0.0/8
              csanmt tenant update --db csanmt.sqlite --id org_mkt_001 --weight 2 --requests-per-second 50 --burst 100
              csanmt tenant update --db csanmt.sqlite --id org_batch --characters-per-minute unlimited
              csanmt tenant list --db csanmt.sqlite
              csanmt tenant disable --db csanmt.sqlite --id org_mkt_001

            Weight and limits: a tenant without its own value takes the server's default (tenant_* settings), \
            'default' goes back to it, 'unlimited' lifts a limit. See docs/server.md, "Isolation between tenants".
            """,
        subcommands: [Create.self, List.self, Show.self, Enable.self, Disable.self, Update.self, RotateSecret.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id, [a-z0-9_]{3,64}.") var id: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Daily request quota (default unlimited).") var dailyRequests: Int?
        @Option(help: "Daily character quota, in Unicode code points (default unlimited).") var dailyCharacters: Int?
        @Option(help: "Comma-separated scopes: translate:basic, translate:batch, usage:read, tenant:admin (manages this tenant only).")
        var scopes = "translate:basic,translate:batch,usage:read"
        @Option(name: .customLong("allow-ip"), help: "Allowed client address or CIDR (repeatable; default any).")
        var allowIP: [String] = []
        @OptionGroup var limits: TenantLimitOptions

        func run() async throws {
            let store = try await database.open()
            let own = try limits.changes().applied(to: TenantLimits())
            let t = try await adminAction {
                try await store.createTenant(id: id, name: name, scopes: try Scope.parseList(scopes), dailyRequests: dailyRequests,
                                       dailyCharacters: dailyCharacters, allowedIPs: allowIP, limits: own)
            }
            await database.audit("tenant.create", target: t.id, tenant: t.id, changes: FieldChange.diff(nil, t))
            print(describe(t))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let tenants = try await adminAction { try await database.open().tenants() }
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                e.dateEncodingStrategy = .iso8601
                print(String(decoding: try e.encode(tenants), as: UTF8.self))
                return
            }
            print("ID".padding(toLength: 24, withPad: " ", startingAt: 0) + "ENABLED  REQ/DAY     CHARS/DAY   WEIGHT  NAME")
            for t in tenants {
                let cols = [t.id.padding(toLength: 24, withPad: " ", startingAt: 0),
                            (t.enabled ? "yes" : "no").padding(toLength: 9, withPad: " ", startingAt: 0),
                            (t.dailyRequests.map(String.init) ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0),
                            (t.dailyCharacters.map(String.init) ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0),
                            "\(t.limits.weight ?? IsolationDefaults().weight)".padding(toLength: 8, withPad: " ", startingAt: 0), t.name]
                print(cols.joined())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() async throws {
            guard let t = try await adminAction({ try await database.open().tenant(id) }) else { throw CLIError(message: "no tenant '\(id)'") }
            print(describe(t))
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a tenant.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() async throws { print(describe(try await setEnabled(database, id, true))) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a tenant: its tokens stop working on the next request.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        func run() async throws { print(describe(try await setEnabled(database, id, false))) }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a tenant's name, quotas, scopes, IP allow-list, weight or rate limits.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        @Option(help: "New display name.") var name: String?
        @Option(help: "Daily request quota; 0 blocks, 'unlimited' removes it.") var dailyRequests: String?
        @Option(help: "Daily character quota; 'unlimited' removes it.") var dailyCharacters: String?
        @Option(help: "Comma-separated scopes (replaces the list).") var scopes: String?
        @Option(name: .customLong("allow-ip"), help: "Allowed address or CIDR (repeatable; replaces the list).")
        var allowIP: [String] = []
        @Flag(name: .customLong("allow-any-ip"), help: "Remove the IP allow-list.") var allowAnyIP = false
        @OptionGroup var limits: TenantLimitOptions

        func quota(_ text: String?, _ label: String) throws -> Int?? {
            guard let text else { return nil }
            if text == "unlimited" { return .some(nil) }
            guard let n = Int(text), n >= 0 else { throw CLIError(message: "--\(label) must be a number ≥ 0 or 'unlimited'") }
            return .some(n)
        }

        func run() async throws {
            var parsedScopes: [Scope]?
            if let scopes { parsedScopes = try await adminAction { try Scope.parseList(scopes) } }
            let changes = TenantChanges(
                name: name, scopes: parsedScopes,
                dailyRequests: try quota(dailyRequests, "daily-requests"), dailyCharacters: try quota(dailyCharacters, "daily-characters"),
                allowedIPs: allowAnyIP ? [] : (allowIP.isEmpty ? nil : allowIP), limits: try limits.changes())
            let (before, after) = try await adminAction { try await database.open().updateTenantReturningPrevious(id, changes) }
            await database.audit("tenant.update", target: id, tenant: id, changes: FieldChange.diff(before, after))
            print(describe(after))
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Start a new token-signing key; tokens signed with the old one verify during the grace period.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var id: String
        @Flag(help: "Emergency: delete the old secrets now, so every token they signed fails at once (no grace).")
        var immediate = false
        @Option(help: "Seconds retired secrets keep verifying; older ones are purged (the server's signing_key_grace, default 86400).")
        var grace: Double = 86_400
        func run() async throws {
            let k = try await adminAction { try await database.open().rotateSigningKey(tenantID: id, immediate: immediate, grace: grace) }
            await database.audit(immediate ? "signing_key.rotate_immediate" : "signing_key.rotate", target: id, tenant: id,
                           changes: ["kid": FieldChange(before: nil, after: "\"\(k.kid)\"")])   // the id, never the secret
            print("new signing key \(k.kid) for \(id)")
        }
    }
}

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage API keys.",
        discussion: """
            A key is shown once, at creation, and stored only as a hash. Rotate by creating a new key, moving clients to
            it, then revoking the old one.
              csanmt key create --db csanmt.sqlite --tenant org_mkt_001 --expires-in 90
              csanmt key list --db csanmt.sqlite --tenant org_mkt_001
              csanmt key revoke --db csanmt.sqlite --id key_3kT9aB2cD4eF
              csanmt key update --db csanmt.sqlite --id key_3kT9aB2cD4eF --requests-per-second 2 --characters-per-minute 20000
            A key's own rate limits apply on top of its tenant's (a low-trust integration key can be held lower).
            """,
        subcommands: [Create.self, List.self, Update.self, Revoke.self])

    /// A key's own limits; absent flags mean no key-level limit.
    struct KeyLimitOptions: ParsableArguments {
        @Option(help: "This key's requests per second (default: only the tenant's limit).") var requestsPerSecond: Int?
        @Option(help: "This key's burst (default twice its requests per second).") var burst: Int?
        @Option(help: "This key's characters per minute (default: only the tenant's limit).") var charactersPerMinute: Int?
        var limits: KeyLimits { KeyLimits(requestsPerSecond: requestsPerSecond, burst: burst, charactersPerMinute: charactersPerMinute) }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a key's own rate limits (replaces them; none given removes them).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Key id (key_…).") var id: String
        @OptionGroup var limits: KeyLimitOptions
        func run() async throws {
            let (before, k) = try await adminAction { try await database.open().setKeyLimits(id, limits.limits) }
            await database.audit("key.update", target: k.id, tenant: k.tenantId, changes: FieldChange.diff(KeyView(before), KeyView(k)))
            print("\(k.id) (\(k.tenantId)): \(describe(k.limits))")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is printed alone on the last line.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Tenant id.") var tenant: String
        @Option(name: .customLong("expires-in"), help: "Days until the key expires (default 365).") var expiresIn: Int = 365
        @Flag(name: .customLong("no-expiry"), help: "The key never expires (prefer rotating keys).") var noExpiry = false
        @Option(help: "Comma-separated scopes, a subset of the tenant's (default: the tenant's), e.g. translate:basic for an integration.")
        var scopes: String?
        @OptionGroup var limits: KeyLimitOptions
        func run() async throws {
            let (key, plaintext) = try await adminAction {
                try await database.open().createKey(tenantID: tenant, expiresInDays: noExpiry ? nil : expiresIn, limits: limits.limits,
                                              scopes: try scopes.map { try Scope.parseList($0) })
            }
            await database.audit("key.create", target: key.id, tenant: tenant, changes: FieldChange.diff(nil, KeyView(key)))
            let scopeText = key.scopes.map { $0.map(\.rawValue).joined(separator: ",") } ?? "the tenant's"
            print("created \(key.id) for \(tenant), scopes \(scopeText), expires \(formatDate(key.expiresAt)); store it now, it is not shown again:")
            print(plaintext)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this tenant's keys.") var tenant: String?
        func run() async throws {
            for k in try await adminAction({ try await database.open().keys(tenantID: tenant) }) {
                let state = k.revokedAt != nil ? "revoked" : (k.isActive(at: Date()) ? "active" : "expired")
                print("\(k.id)  \(k.tenantId)  \(k.prefix)…  \(state)  created \(formatDate(k.createdAt))  last used \(formatDate(k.lastUsedAt))  expires \(formatDate(k.expiresAt))  limits: \(describe(k.limits))")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; effective on the next request.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Key id (key_…).") var id: String
        func run() async throws {
            let store = try await database.open()
            let before = try await adminAction { try await store.key(id) }
            let k = try await adminAction { try await store.revokeKey(id) }
            await database.audit("key.revoke", target: k.id, tenant: k.tenantId, changes: FieldChange.diff(before.map(KeyView.init), KeyView(k)))
            print("revoked \(k.id) (\(k.tenantId))")
        }
    }
}
