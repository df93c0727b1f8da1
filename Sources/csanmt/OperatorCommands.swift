import ArgumentParser
import Foundation
import Server

/// Operator views for the CLI and the audit trail: never the hash.
struct OperatorView: Encodable {
    let id: String, name: String, prefix: String
    let createdAt: Date, lastUsedAt: Date?, disabledAt: Date?
    enum CodingKeys: String, CodingKey {
        case id, name, prefix, createdAt = "created_at", lastUsedAt = "last_used_at", disabledAt = "disabled_at"
    }
    init(_ o: Operator) {
        id = o.id; name = o.name; prefix = o.prefix; createdAt = o.createdAt; lastUsedAt = o.lastUsedAt; disabledAt = o.disabledAt
    }
}

struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Manage operators: the global administrators of the service.",
        discussion: """
            Operators manage every tenant through the admin API and the web console; tenant admins (scope \
            tenant:admin) manage only their own tenant. Operators are created here, on the host, never over HTTP: \
            whoever may write the database may make operators. Create the first one when you set up the service:
              csanmt operator create --db csanmt.sqlite --id alice --name "Alice (SRE)"
            The key (cso_…) is printed once. Exchange it for a 15-minute token:
              curl -s localhost:8080/api/v1/auth/operator-token -d '{"operator_id":"alice","api_key":"cso_…"}'
            Other commands:
              csanmt operator list --db csanmt.sqlite
              csanmt operator disable --db csanmt.sqlite --id alice     # its tokens stop on the next request
              csanmt operator reset-key --db csanmt.sqlite --id alice   # new key; old key and tokens stop working
            """,
        subcommands: [Create.self, List.self, Enable.self, Disable.self, ResetKey.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an operator; its key is printed alone on the last line.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Operator id, [a-z0-9_]{3,64}.") var id: String
        @Option(help: "Display name (who this is).") var name: String
        func run() async throws {
            let (op, plaintext) = try await adminAction { try await database.open().createOperator(id: id, name: name) }
            await database.audit("operator.create", target: op.id, changes: FieldChange.diff(nil, OperatorView(op)))
            print("created operator \(op.id); store its key now, it is not shown again:")
            print(plaintext)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List operators (never their keys).")
        @OptionGroup var database: DatabaseOption
        func run() async throws {
            for o in try await adminAction({ try await database.open().operators() }) {
                print("\(o.id)  \(o.prefix)…  \(o.disabledAt == nil ? "enabled" : "disabled")  created \(formatDate(o.createdAt))  last used \(formatDate(o.lastUsedAt))  \(o.name)")
            }
        }
    }

    static func setDisabled(_ database: DatabaseOption, _ id: String, _ disabled: Bool) async throws {
        let (before, after) = try await adminAction { try await database.open().setOperatorDisabled(id, disabled) }
        await database.audit(disabled ? "operator.disable" : "operator.enable", target: id,
                       changes: FieldChange.diff(OperatorView(before), OperatorView(after)))
        print("operator \(id) \(disabled ? "disabled" : "enabled")")
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable an operator.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Operator id.") var id: String
        func run() async throws { try await OperatorCommand.setDisabled(database, id, false) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an operator: its tokens stop working on the next request.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Operator id.") var id: String
        func run() async throws { try await OperatorCommand.setDisabled(database, id, true) }
    }

    struct ResetKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-key", abstract: "Give an operator a new key; the old key and every token it got stop working.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Operator id.") var id: String
        func run() async throws {
            let (op, plaintext) = try await adminAction { try await database.open().resetOperatorKey(id) }
            await database.audit("operator.reset_key", target: op.id, changes: ["prefix": FieldChange(before: nil, after: "\"\(op.prefix)\"")])
            print("new key for operator \(op.id); store it now, it is not shown again:")
            print(plaintext)
        }
    }
}

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database maintenance: migrations, moving to PostgreSQL, the master key that encrypts signing secrets.",
        discussion: """
            Signing secrets are stored encrypted (AES-256-GCM) with a master key from $CSANMT_MASTER_KEY, \
            --master-key-file, or <db>.master-key (created on first use). To rotate the master key:
              1. csanmt db new-master-key                      # prints a new key
              2. put it on the first line of the key file, the old key below it (or CSANMT_MASTER_KEY=new,old), \
            and restart the replicas: new secrets use the new key, old ones still open
              3. csanmt db reencrypt-secrets --db csanmt.sqlite  # every secret under the new key
              4. remove the old key from the file and restart
            `csanmt db secrets --db csanmt.sqlite` shows which keys the stored secrets use.

            Moving to a cluster: `csanmt db copy --from csanmt.sqlite --to postgres://…`; backups and restores of both \
            stores: docs/server.md, "Backup and restore".
            """,
        subcommands: [Migrate.self, Copy.self, NewMasterKey.self, ReencryptSecrets.self, Secrets.self])

    struct NewMasterKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "new-master-key", abstract: "Print a new random master key (base64 of 32 bytes).")
        func run() { print(MasterKeyring.newKeyText()) }
    }

    struct ReencryptSecrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reencrypt-secrets", abstract: "Re-encrypt every signing secret with the first master key (step 3 of a rotation).")
        @OptionGroup var database: DatabaseOption
        func run() async throws {
            let store = try await database.open()
            let count = try await adminAction { try await store.reencryptSecrets() }
            await database.audit("master_key.reencrypt", target: store.keyring.currentID,
                           changes: ["master_key": FieldChange(before: nil, after: "\"\(store.keyring.currentID)\"")])
            print("re-encrypted \(count) signing secret(s) with master key \(store.keyring.currentID)")
        }
    }

    struct Secrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which master keys encrypt the stored signing secrets.")
        @OptionGroup var database: DatabaseOption
        func run() async throws {
            let store = try await database.open()
            print("keyring: \(store.keyring.ids.joined(separator: ", ")) (the first encrypts)")
            for (id, count) in try await adminAction({ try await store.secretKeyIDs() }).sorted(by: { $0.key < $1.key }) {
                print("\(id): \(count) secret(s)")
            }
        }
    }
}
