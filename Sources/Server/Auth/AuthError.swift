/// Why a caller is not let in: the authentication domain's answer, mapped to HTTP (401 with a `WWW-Authenticate`
/// challenge, or 403) in one place, ``RequestAuditMiddleware/apiError(for:)``.
public enum AuthError: Error, Sendable, Equatable {
    /// Unknown tenant or operator, or a wrong key: one answer for all, so callers learn nothing about which.
    case invalidCredentials
    /// The token (or the key behind it) cannot be used; `code` is the stable machine-readable reason, e.g.
    /// `key_revoked`, `token_expired`, `invalid_signature`.
    case invalidToken(code: String, message: String)
    /// The tenant exists but an operator disabled it.
    case tenantDisabled

    /// A token signed out on some replica (the deny-list in Redis).
    static let signedOut = AuthError.invalidToken(code: "token_revoked", message: "this token was signed out; request a new one")
}
