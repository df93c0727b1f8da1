import Crypto
import Foundation

/// The master keys that encrypt signing secrets at rest (AES-256-GCM). The first key encrypts; every key decrypts,
/// so a new key can be rolled out before the old one is dropped (docs/server.md, "Rotating the master key").
///
/// Sealed secrets are `csmk1` + the key's 8-character id + AES-GCM's nonce, ciphertext and tag. The signing key's
/// `kid` is authenticated with it, so a sealed secret copied onto another row does not open.
public struct MasterKeyring: Sendable {
    static let magic = Data("csmk1".utf8)
    /// `(id, key)`, the encrypting key first.
    let keys: [(id: String, key: SymmetricKey)]

    /// The id of the key that encrypts: the first 8 hex digits of SHA-256 of the key.
    public var currentID: String { keys[0].id }
    public var ids: [String] { keys.map(\.id) }

    /// Keys as base64 text of 32 bytes each, the encrypting one first.
    public init(base64Keys: [String]) throws {
        guard !base64Keys.isEmpty else { throw StoreError.invalid("a master keyring needs at least one key") }
        keys = try base64Keys.enumerated().map { i, text in
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)), bytes.count == 32 else {
                throw StoreError.invalid("master key \(i + 1) is not base64 of 32 bytes (make one with `csanmt db new-master-key`)")
            }
            return (Self.id(of: bytes), SymmetricKey(data: bytes))
        }
    }

    /// A new random key as base64 text.
    public static func newKeyText() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    static func id(of bytes: Data) -> String {
        SHA256.hash(data: bytes).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// Parses a key file: one base64 key per line, the encrypting key first; `#` lines and blank lines are skipped.
    public static func parse(fileText: String) throws -> MasterKeyring {
        try MasterKeyring(base64Keys: fileText.split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") })
    }

    /// Where the keys come from, in order: `$CSANMT_MASTER_KEY` (base64 keys separated by commas), the file
    /// `file` (e.g. `--master-key-file`), else `<database>.master-key` beside the database, created (owner-only)
    /// on first use.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment, file: String?,
                            databasePath: String) throws -> MasterKeyring {
        if let text = environment["CSANMT_MASTER_KEY"], !text.isEmpty {
            return try MasterKeyring(base64Keys: text.split(separator: ",").map(String.init))
        }
        let path = file ?? databasePath + ".master-key"
        if file == nil, !FileManager.default.fileExists(atPath: path) {
            let text = "# csanmt master key: encrypts the signing secrets in \(URL(fileURLWithPath: databasePath).lastPathComponent).\n"
                + "# Keep it out of the database's backups. One base64 key per line; the first encrypts.\n" + newKeyText() + "\n"
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            guard fd >= 0 else { throw StoreError.invalid("cannot create the master key file \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else { throw StoreError.invalid("cannot write the master key file \(path)") }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.invalid("cannot read the master key file \(path)")
        }
        do {
            return try parse(fileText: String(decoding: data, as: UTF8.self))
        } catch let StoreError.invalid(message) {
            throw StoreError.invalid("\(path): \(message)")
        }
    }

    /// Whether `stored` was sealed by a keyring (else it is a plaintext secret from before encryption).
    static func isSealed(_ stored: Data) -> Bool { stored.starts(with: magic) }

    /// Encrypts `secret` with the first key, bound to `kid`.
    func encrypt(_ secret: Data, kid: String) throws -> Data {
        let box = try AES.GCM.seal(secret, using: keys[0].key, authenticating: Data(kid.utf8))
        guard let combined = box.combined else { throw StoreError.invalid("AES-GCM gave no combined form") }
        return Self.magic + Data(keys[0].id.utf8) + combined
    }

    /// Decrypts a sealed secret with the key it names.
    func decrypt(_ stored: Data, kid: String) throws -> Data {
        guard Self.isSealed(stored), stored.count > Self.magic.count + 8 else {
            throw StoreError.secrets("the signing secret of \(kid) is not sealed")
        }
        let idStart = stored.startIndex + Self.magic.count
        let id = String(decoding: stored[idStart..<idStart + 8], as: UTF8.self)
        guard let key = keys.first(where: { $0.id == id })?.key else {
            throw StoreError.secrets("the signing secret of \(kid) was encrypted with master key \(id), which is not in this keyring (\(ids.joined(separator: ", ")))")
        }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: stored[(idStart + 8)...]), using: key, authenticating: Data(kid.utf8))
        } catch {
            throw StoreError.secrets("the signing secret of \(kid) does not decrypt with master key \(id): it was altered or moved")
        }
    }
}
