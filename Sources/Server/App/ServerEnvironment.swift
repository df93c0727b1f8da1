import Foundation

/// Everything the routes depend on, built once at start-up (and by tests, with fakes where useful).
public struct ServerEnvironment: Sendable {
    public let config: ServerConfig
    public let store: TenantStore
    public let tokens: TokenService
    public let translator: any Translator
    public let audit: AuditLog?
    public let resolver: ClientAddressResolver
    public let now: @Sendable () -> Date

    public init(config: ServerConfig, store: TenantStore, translator: any Translator, audit: AuditLog?,
                now: @escaping @Sendable () -> Date = Date.init) throws {
        self.config = config
        self.store = store
        self.translator = translator
        self.audit = audit
        self.now = now
        tokens = TokenService(store: store, issuer: config.tokenIssuer, audience: config.tokenAudience,
                              lifetime: config.tokenLifetime, grace: config.signingKeyGrace, now: now)
        let proxies = try config.trustedProxies.map { text -> CIDR in
            guard let c = CIDR(text) else { throw StoreError.invalid("trusted_proxies: '\(text)' is not an address or CIDR") }
            return c
        }
        resolver = ClientAddressResolver(trustedProxies: proxies)
    }
}
