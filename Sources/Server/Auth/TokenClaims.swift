import JWTKit

/// The claims of a tenant's access token (HS256, signed with the tenant's server-side secret).
public struct TokenClaims: JWTPayload, Equatable {
    /// Tenant id.
    public var tid: String
    /// Space-separated scopes granted at issue time.
    public var scope: String
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var nbf: NotBeforeClaim
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    /// Signing-key id (also in the JOSE header).
    public var kid: String
    /// Unique token id.
    public var jti: IDClaim
    /// The API key the token was issued for; revoking it invalidates the token.
    public var keyID: String

    enum CodingKeys: String, CodingKey {
        case tid, scope, exp, iat, nbf, iss, aud, kid, jti
        case keyID = "key_id"
    }

    /// Time-based and audience checks are done by ``TokenService`` with its injectable clock, so tests can move
    /// time; the signature is checked by JWTKit before this is called.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
