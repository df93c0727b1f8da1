import Crypto
import Foundation
import FuzzSupport
@testable import Server

/// Bearer tokens through ``TokenService/verify(_:)`` against a real store (SQLite in /dev/shm) whose signing
/// secrets are random for each run. Invariants: a token nobody signed never verifies; a valid token that was
/// altered either fails or still means exactly what it meant; and a tenant that holds its own signing secret
/// (it cannot get it through the API, but assume the worst) can sign any header and payload it likes and still
/// never reach another tenant, the operator, or scopes beyond its key's. Every failure is a 401 or 403
/// `APIError`, never a trap or another error.
///
/// The first byte picks the case; the rest is the token (0), edits `[position: 2][byte]` to a valid tenant (1)
/// or operator (2) token, or `[header length: 1][header JSON][payload JSON]` signed with tenant alpha's secret (3), where `$KID` and `$KEY`
/// stand for alpha's signing-key and API-key ids.

/// One result handed from a task to the thread waiting on it (the semaphore orders the write before the read).
final class ResultBox<T>: @unchecked Sendable { var result: Result<T, Error>? }

/// Runs `operation` to completion from the fuzzer's synchronous callback.
func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) -> Result<T, Error> {
    let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return box.result!
}

struct Fixture: Sendable {
    let tokens: TokenService
    let alphaKeyID: String, alphaScopes: Set<Scope>, alphaSecret: Data, alphaKid: String
    let tenantToken: String, tenantIdentity: Identity
    let operatorToken: String
}

/// The store, its tenants and operator, and their tokens: made once, before fuzzing (lsan.supp names this
/// function: what it leaves unreachable is set-up, not per-input work).
func makeFixture() -> Fixture {
    let path = "/dev/shm/csanmt-fuzz-jwt-\(getpid()).sqlite"
    try? FileManager.default.removeItem(atPath: path)
    let store = try! SQLiteTenantStore(path: path, keyring: try! MasterKeyring(base64Keys: [MasterKeyring.newKeyText()]))
    _ = try! blocking { try await store.createTenant(id: "alpha", name: "Alpha", scopes: [.translateBasic, .translateBatch]) }.get()
    _ = try! blocking {
        try await store.createTenant(id: "beta", name: "Beta", scopes: [.translateBasic, .translateBatch, .usageRead, .tenantAdmin, .translateCompat])
    }.get()
    let (alphaKey, alphaPlain) = try! blocking { try await store.createKey(tenantID: "alpha", scopes: [.translateBasic]) }.get()
    let (_, betaPlain) = try! blocking { try await store.createKey(tenantID: "beta") }.get()
    let (_, rootPlain) = try! blocking { try await store.createOperator(id: "root", name: "Root") }.get()
    let tokens = TokenService(store: store)
    let alpha = try! blocking { try await tokens.issue(tenantID: "alpha", apiKey: alphaPlain) }.get()
    _ = try! blocking { try await tokens.issue(tenantID: "beta", apiKey: betaPlain) }.get()
    let root = try! blocking { try await tokens.issueOperator(operatorID: "root", apiKey: rootPlain) }.get()
    guard case .tenant(let identity) = try! blocking({ try await tokens.verify(alpha.token) }).get() else { fatalError("alpha's token") }
    let signing = try! store.currentSigningKey(tenantID: "alpha")
    unlink(path)   // the open connection keeps the file; nothing is left behind
    return Fixture(tokens: tokens, alphaKeyID: alphaKey.id, alphaScopes: [.translateBasic], alphaSecret: signing.secret,
                   alphaKid: signing.kid, tenantToken: alpha.token, tenantIdentity: identity, operatorToken: root.token)
}

let fixture = makeFixture()

func base64URL(_ data: some DataProtocol) -> String {
    Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// The token with each `[position: 2][byte]` edit applied to its bytes.
func edited(_ token: String, _ edits: ArraySlice<UInt8>) -> String {
    var bytes = Array(token.utf8)
    var edits = edits
    while edits.count >= 3 {
        let i = edits.startIndex
        bytes[(Int(edits[i]) << 8 | Int(edits[i + 1])) % bytes.count] = edits[i + 2]
        edits = edits.dropFirst(3)
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Verifies `token`; a failure must be an error the server answers with 401 or 403 (anything else maps to a 5xx).
func verify(_ token: String) -> Principal? {
    switch blocking({ try await fixture.tokens.verify(token) }) {
    case .success(let principal): return principal
    case .failure(let e):
        let answer = RequestAuditMiddleware.apiError(for: e)
        precondition([401, 403].contains(answer.status.code), "verify threw \(type(of: e)): \(e), answered \(answer.status.code) \(answer.code)")
        return nil
    }
}

runFuzzer { data, size in
    let input = bytes(data, size)
    guard let selector = input.first else { return 0 }
    let rest = ArraySlice(input.dropFirst())
    switch selector % 4 {
    case 0:
        precondition(verify(String(decoding: rest, as: UTF8.self)) == nil, "a token nobody signed verified")
    case 1:
        guard let principal = verify(edited(fixture.tenantToken, rest)) else { return 0 }
        precondition(principal == .tenant(fixture.tenantIdentity), "an altered token changed meaning: \(principal)")
    case 2:
        guard let principal = verify(edited(fixture.operatorToken, rest)) else { return 0 }
        guard case .operator(let op) = principal, op.operatorID == "root" else { preconditionFailure("an altered operator token: \(principal)") }
    default:
        guard let headerLength = rest.first.map(Int.init) else { return 0 }
        // `$KID` and `$KEY` stand for alpha's signing-key id and API-key id, which are random for each run.
        let header = String(decoding: rest.dropFirst().prefix(headerLength), as: UTF8.self).replacingOccurrences(of: "$KID", with: fixture.alphaKid)
        let payload = String(decoding: rest.dropFirst(1 + headerLength), as: UTF8.self).replacingOccurrences(of: "$KEY", with: fixture.alphaKeyID)
        let signingInput = base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: fixture.alphaSecret))
        guard let principal = verify(signingInput + "." + base64URL(Data(mac))) else { return 0 }
        guard case .tenant(let identity) = principal else { preconditionFailure("alpha's secret made an operator token") }
        precondition(identity.tenant.id == "alpha" && identity.keyID == fixture.alphaKeyID,
                     "alpha's secret reached tenant \(identity.tenant.id), key \(identity.keyID)")
        precondition(identity.scopes.isSubset(of: fixture.alphaScopes), "alpha's secret gave scopes \(identity.scopes)")
    }
    return 0
}
