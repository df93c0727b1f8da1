import Foundation
import JWTKit

/// Who is calling, after a token has been verified against the database.
public struct Identity: Sendable, Equatable {
    public let tenant: Tenant
    public let keyID: String
    /// Scopes in the token that the tenant still holds.
    public let scopes: Set<Scope>
    public let tokenID: String
    /// The key's own rate limits (on top of the tenant's).
    public var keyLimits = KeyLimits()
    /// When the token expires (sign-out keeps its id on the deny-list until then).
    public var tokenExpiry = Date.distantFuture
    public init(tenant: Tenant, keyID: String, scopes: Set<Scope>, tokenID: String, keyLimits: KeyLimits = KeyLimits(),
                tokenExpiry: Date = .distantFuture) {
        self.tokenExpiry = tokenExpiry
        self.tenant = tenant
        self.keyID = keyID
        self.scopes = scopes
        self.tokenID = tokenID
        self.keyLimits = keyLimits
    }
}

/// Issues and verifies tenant access tokens.
///
/// Tokens are HS256 JWTs signed with a per-tenant secret that never leaves the server (not with the API key).
/// The algorithm is pinned: the header must say HS256. Rotation (``TenantStore/rotateSigningKey(tenantID:)``)
/// starts a new `kid`; tokens signed with a retired key verify until `retired_at + grace`.
public struct TokenService: Sendable {
    public let store: any TenantStore
    public let issuer: String
    public let audience: String
    public let lifetime: TimeInterval
    /// Lifetime of operator tokens and of tokens that carry `tenant:admin` (short: they can create keys and
    /// change tenants). Renew with `POST /api/v1/auth/refresh`.
    public let adminLifetime: TimeInterval
    public let grace: TimeInterval
    /// Signed-out tokens.
    public let denyList: any TokenDenyList
    let now: @Sendable () -> Date

    public init(store: any TenantStore, issuer: String = "csanmt", audience: String = "csanmt-api",
                lifetime: TimeInterval = 86_400, adminLifetime: TimeInterval = 900, grace: TimeInterval = 86_400,
                denyList: (any TokenDenyList)? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.adminLifetime = adminLifetime
        self.denyList = denyList ?? LocalTokenDenyList(now: now)
        self.store = store
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.grace = grace
        self.now = now
    }

    /// Exchanges an API key for a token. Unknown tenant and wrong key give the same error.
    /// `admit` runs on the tenant before a token is made (the IP allow-list check).
    public func issue(tenantID: String, apiKey: String,
                      admit: (Tenant) throws -> Void = { _ in }) async throws -> (token: String, keyID: String, tenant: Tenant, expiresIn: Int) {
        // Both lookups always run, so an unknown tenant answers in the same time as a wrong key.
        let tenantRecord = try await store.tenant(tenantID)
        let keyRecord = try await store.authenticate(tenantID: tenantID, plaintext: apiKey)
        guard let tenant = tenantRecord, let key = keyRecord else { throw AuthError.invalidCredentials }
        try admit(tenant)
        let t = now()
        try Self.checkUsable(key, tenant, at: t)
        let (token, expiresIn) = try await sign(tenant: tenant, keyID: key.id, scopes: key.grantedScopes(of: tenant), at: t)
        return (token, key.id, tenant, expiresIn)
    }

    /// The caller of a drop-in API, which sends the API key itself on every request (no tenant id, no token): the
    /// same checks as ``issue(tenantID:apiKey:admit:)``, without a token.
    public func identity(apiKey: String) async throws -> Identity {
        guard let key = try await store.authenticate(plaintext: apiKey), let tenant = try await store.tenant(key.tenantId) else {
            throw AuthError.invalidCredentials
        }
        try Self.checkUsable(key, tenant, at: now())
        return Identity(tenant: tenant, keyID: key.id, scopes: key.grantedScopes(of: tenant), tokenID: "", keyLimits: key.limits)
    }

    /// A key that authenticated may be used: not revoked, not expired, its tenant enabled.
    static func checkUsable(_ key: APIKey, _ tenant: Tenant, at t: Date) throws {
        guard key.revokedAt == nil else { throw AuthError.invalidToken(code: "key_revoked", message: "this API key has been revoked") }
        guard key.isActive(at: t) else { throw AuthError.invalidToken(code: "key_expired", message: "this API key has expired") }
        guard tenant.enabled else { throw AuthError.tenantDisabled }
    }

    /// Exchanges an operator's key for an operator token (``adminLifetime``). Unknown operator, wrong key and a
    /// disabled operator give the same error.
    public func issueOperator(operatorID: String, apiKey: String) async throws -> (token: String, operator: Operator, expiresIn: Int) {
        guard let op = try await store.authenticateOperator(id: operatorID, plaintext: apiKey), op.disabledAt == nil else {
            throw AuthError.invalidCredentials
        }
        let (token, expiresIn) = try await signOperator(op.id, at: now())
        return (token, op, expiresIn)
    }

    /// A new token for the caller of a valid token (the key, tenant or operator were checked by ``verify(_:)``);
    /// the old one is signed out, so renewing never leaves two tokens alive.
    public func renew(_ principal: Principal) async throws -> (token: String, expiresIn: Int) {
        let renewed: (token: String, expiresIn: Int)
        switch principal {
        case .tenant(let identity):
            renewed = try await sign(tenant: identity.tenant, keyID: identity.keyID, scopes: identity.scopes, at: now())
        case .operator(let op):
            renewed = try await signOperator(op.operatorID, at: now())
        }
        try await denyList.deny(principal.tokenID, until: principal.tokenExpiry)
        return renewed
    }

    /// Signs a token for `keyID` with the tenant's current key; tenant admin tokens get ``adminLifetime``.
    func sign(tenant: Tenant, keyID: String, scopes: Set<Scope>, at t: Date) async throws -> (token: String, expiresIn: Int) {
        let life = scopes.contains(.tenantAdmin) ? min(lifetime, adminLifetime) : lifetime
        let signing = try await store.currentSigningKey(tenantID: tenant.id)
        let claims = TokenClaims(
            tid: tenant.id, scope: scopes.sorted().map(\.rawValue).joined(separator: " "),
            exp: .init(value: t.addingTimeInterval(life)), iat: .init(value: t), nbf: .init(value: t),
            iss: .init(value: issuer), aud: .init(value: audience), kid: signing.kid,
            jti: .init(value: APIKeyCodec.randomBase62(22)), keyID: keyID)
        return (try await Self.sign(claims, kid: signing.kid, secret: signing.secret), Int(life))
    }

    func signOperator(_ id: String, at t: Date) async throws -> (token: String, expiresIn: Int) {
        let life = min(lifetime, adminLifetime)
        let signing = try await store.operatorSigningKey(operatorID: id)
        let claims = OperatorClaims(
            sub: .init(value: id), typ: "operator", exp: .init(value: t.addingTimeInterval(life)), iat: .init(value: t),
            nbf: .init(value: t), iss: .init(value: issuer), aud: .init(value: audience), kid: signing.kid,
            jti: .init(value: APIKeyCodec.randomBase62(22)))
        return (try await Self.sign(claims, kid: signing.kid, secret: signing.secret), Int(life))
    }

    static func sign(_ claims: some JWTPayload, kid: String, secret: Data) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// Verifies a bearer token: pinned algorithm, signature with the tenant's (or operator's) key, time, issuer,
    /// audience and sign-out, then the key, tenant and scopes (or the operator) as they are in the database now.
    public func verify(_ token: String) async throws -> Principal {
        let header = try Self.header(of: token)
        guard header.alg == "HS256" else {
            throw AuthError.invalidToken(code: "unsupported_algorithm", message: "tokens must be HS256; got '\(header.alg ?? "none")'")
        }
        guard let kid = header.kid else { throw AuthError.invalidToken(code: "unknown_signing_key", message: "the token's signing key is unknown") }
        if kid.hasPrefix("ok_") { return .operator(try await verifyOperator(token, kid: kid)) }
        return .tenant(try await verifyTenant(token, kid: kid))
    }

    func verifyTenant(_ token: String, kid: String) async throws -> Identity {
        guard let signing = try await store.signingKey(kid: kid) else {
            throw AuthError.invalidToken(code: "unknown_signing_key", message: "the token's signing key is unknown")
        }
        let claims = try await Self.decode(token, as: TokenClaims.self, kid: kid, secret: signing.secret)
        let t = now()
        if let retired = signing.retiredAt, t > retired.addingTimeInterval(grace) {
            throw AuthError.invalidToken(code: "signing_key_retired", message: "the token was signed with a retired key; request a new token")
        }
        try checkStandard(exp: claims.exp, nbf: claims.nbf, iss: claims.iss, aud: claims.aud, at: t)
        guard claims.tid == signing.tenantId else { throw AuthError.invalidToken(code: "malformed_token", message: "the token's tenant does not match its key") }
        guard try await !denyList.isDenied(claims.jti.value) else { throw AuthError.signedOut }
        let records = try await store.authRecords(keyID: claims.keyID, tenantID: claims.tid)
        guard let key = records.apiKey, key.tenantId == claims.tid else {
            throw AuthError.invalidToken(code: "key_revoked", message: "the API key behind this token no longer exists")
        }
        guard key.revokedAt == nil else { throw AuthError.invalidToken(code: "key_revoked", message: "the API key behind this token has been revoked") }
        guard key.isActive(at: t) else { throw AuthError.invalidToken(code: "key_expired", message: "the API key behind this token has expired") }
        guard let tenant = records.tenant else { throw AuthError.invalidCredentials }
        guard tenant.enabled else { throw AuthError.tenantDisabled }
        let granted = Set(claims.scope.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
        // The token's scopes, within what the key and its tenant hold now (either may have lost some since).
        return Identity(tenant: tenant, keyID: key.id, scopes: granted.intersection(key.grantedScopes(of: tenant)), tokenID: claims.jti.value,
                        keyLimits: key.limits, tokenExpiry: claims.exp.value)
    }

    func verifyOperator(_ token: String, kid: String) async throws -> OperatorIdentity {
        guard let signing = try await store.operatorSigningKey(kid: kid) else {
            throw AuthError.invalidToken(code: "unknown_signing_key", message: "the token's signing key is unknown")
        }
        let claims = try await Self.decode(token, as: OperatorClaims.self, kid: kid, secret: signing.secret)
        try checkStandard(exp: claims.exp, nbf: claims.nbf, iss: claims.iss, aud: claims.aud, at: now())
        guard claims.typ == "operator", claims.sub.value == signing.operatorId else {
            throw AuthError.invalidToken(code: "malformed_token", message: "the token's operator does not match its key")
        }
        guard try await !denyList.isDenied(claims.jti.value) else { throw AuthError.signedOut }
        guard let op = try await store.operator(claims.sub.value), op.disabledAt == nil else {
            throw AuthError.invalidToken(code: "operator_disabled", message: "this operator is disabled or no longer exists")
        }
        return OperatorIdentity(operatorID: op.id, name: op.name, tokenID: claims.jti.value, tokenExpiry: claims.exp.value)
    }


    /// Checks the signature (JWTKit) and decodes the claims.
    static func decode<C: JWTPayload>(_ token: String, as: C.Type, kid: String, secret: Data) async throws -> C {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        do {
            return try await keys.verify(token, as: C.self)
        } catch let e as JWTError where e.errorType == .signatureVerificationFailed {
            throw AuthError.invalidToken(code: "invalid_signature", message: "the token's signature does not verify")
        } catch {
            throw AuthError.invalidToken(code: "malformed_token", message: "the token cannot be decoded")
        }
    }

    /// Time (60 s of clock skew on `nbf`), issuer and audience.
    func checkStandard(exp: ExpirationClaim, nbf: NotBeforeClaim, iss: IssuerClaim, aud: AudienceClaim, at t: Date) throws {
        guard t < exp.value else { throw AuthError.invalidToken(code: "token_expired", message: "the token has expired; request a new one") }
        guard t >= nbf.value.addingTimeInterval(-60) else {
            throw AuthError.invalidToken(code: "token_not_yet_valid", message: "the token is not valid yet")
        }
        guard iss.value == issuer else { throw AuthError.invalidToken(code: "invalid_issuer", message: "the token was issued by someone else") }
        guard aud.value.contains(audience) else { throw AuthError.invalidToken(code: "invalid_audience", message: "the token is not meant for this service") }
    }

    struct Header: Decodable { let alg: String?; let kid: String? }

    /// Decodes the JOSE header without trusting it (to pin the algorithm and find the key).
    static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = base64URLDecode(String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw AuthError.invalidToken(code: "malformed_token", message: "the token is not a JWT")
        }
        return header
    }

    static func base64URLDecode(_ s: String) -> Data? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        return Data(base64Encoded: b)
    }
}
