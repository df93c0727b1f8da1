import Hummingbird

struct TokenRequest: Decodable, Sendable {
    let tenantID: String
    let apiKey: String
    enum CodingKeys: String, CodingKey { case tenantID = "tenant_id", apiKey = "api_key" }
}

struct TokenResponse: Encodable, Sendable {
    let token: String
    let tokenType = "Bearer"
    let expiresIn: Int
    enum CodingKeys: String, CodingKey { case token, tokenType = "token_type", expiresIn = "expires_in" }
}

extension ServerApp {
    /// `POST /api/v1/auth/token`: API key → JWT.
    static func addTokenRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        router.post("auth/token") { request, context -> JSONResponse<TokenResponse> in
            let body = try await request.decodeJSON(TokenRequest.self, limit: 16 << 10)
            do {
                let issued = try await env.tokens.issue(tenantID: body.tenantID, apiKey: body.apiKey)
                context.audit.tenant = issued.tenant
                context.audit.keyID = issued.keyID
                context.audit.action = "token.issue"
                return JSONResponse(TokenResponse(token: issued.token, expiresIn: Int(env.tokens.lifetime)))
            } catch {
                context.audit.action = "token.issue"
                throw error
            }
        }
    }
}
