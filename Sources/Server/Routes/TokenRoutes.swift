import Hummingbird

struct TokenRequest: ClosedBody, Sendable {
    static let fields = ["tenant_id", "api_key"]
    let tenantID: String
    let apiKey: String
    enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", apiKey = "api_key" }
}

struct OperatorTokenRequest: ClosedBody, Sendable {
    static let fields = ["operator_id", "api_key"]
    let operatorID: String
    let apiKey: String
    enum CodingKeys: String, CodingKey { case operatorID = "operator_id", apiKey = "api_key" }
}

struct TokenResponse: Encodable, Sendable {
    let token: String
    let tokenType = "Bearer"
    let expiresIn: Int
    enum CodingKeys: String, CodingKey { case token, tokenType = "token_type", expiresIn = "expires_in" }
}

extension ServerApp {
    /// `POST /api/v1/auth/token` (a tenant's API key → JWT) and `POST /api/v1/auth/operator-token` (an operator's).
    static func addTokenRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        router.post("auth/token") { request, context -> JSONResponse<TokenResponse> in
            let body = try await request.decodeJSON(TokenRequest.self, limit: 16 << 10)
            context.audit.action = "token.issue"
            if (try? StoreRules.validateTenantID(body.tenantID)) != nil { context.audit.target = body.tenantID }
            let issued = try await env.tokens.issue(tenantID: body.tenantID, apiKey: body.apiKey) { tenant in
                // The allow-list applies here too: a key stolen from inside cannot be exchanged from outside.
                try checkAllowList(tenant, request: request, context: context, resolver: env.resolver)
            }
            context.audit.tenant = issued.tenant
            context.audit.keyID = issued.keyID
            return JSONResponse(TokenResponse(token: issued.token, expiresIn: issued.expiresIn))
        }
        // Operators' own exchange: an operator key (`cso_…`, from `csanmt operator create`) for a short token.
        router.post("auth/operator-token") { request, context -> JSONResponse<TokenResponse> in
            let body = try await request.decodeJSON(OperatorTokenRequest.self, limit: 16 << 10)
            context.audit.action = "operator_token.issue"
            if (try? StoreRules.validateOperatorID(body.operatorID)) != nil { context.audit.target = body.operatorID }
            let issued = try await env.tokens.issueOperator(operatorID: body.operatorID, apiKey: body.apiKey)
            context.audit.operatorID = issued.operator.id
            return JSONResponse(TokenResponse(token: issued.token, expiresIn: issued.expiresIn))
        }
    }

    /// `POST /api/v1/auth/logout` (signs the calling token out until it expires, on every replica sharing Redis)
    /// and `POST /api/v1/auth/refresh` (a new token for the same key; the old one is signed out).
    static func addSessionRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        router.post("auth/logout") { _, context -> Response in
            guard let principal = context.principal else { throw APIError.missingCredentials }
            context.audit.action = "token.revoke"
            try await env.tokens.denyList.deny(principal.tokenID, until: principal.tokenExpiry)
            return Response(status: .noContent)
        }
        router.post("auth/refresh") { _, context -> JSONResponse<TokenResponse> in
            guard let principal = context.principal else { throw APIError.missingCredentials }
            context.audit.action = "token.renew"
            let renewed = try await env.tokens.renew(principal)
            return JSONResponse(TokenResponse(token: renewed.token, expiresIn: renewed.expiresIn))
        }
    }
}
