import JWTKit

/// The claims of an operator token (HS256, signed with the operator's own server-side secret; `kid` starts with
/// `ok_`). It carries no tenant, so it never decodes as a tenant's ``TokenClaims``, and the reverse.
public struct OperatorClaims: JWTPayload, Equatable {
    /// Operator id.
    public var sub: SubjectClaim
    /// Always `operator`.
    public var typ: String
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var nbf: NotBeforeClaim
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var kid: String
    public var jti: IDClaim

    /// Checked by ``TokenService`` with its injectable clock, as for tenant tokens.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
