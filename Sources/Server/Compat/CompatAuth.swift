import Foundation
import Hummingbird
import Translation

extension ServerApp {
    /// The tenant behind a drop-in call. It brings its API key the way its family does (DeepL's
    /// `Authorization: DeepL-Auth-Key`, Google's `key=` or `X-Goog-Api-Key`, LibreTranslate's `api_key`), or one
    /// of this server's bearer tokens. The checks are the native route's: the key is active, the tenant enabled,
    /// the client address in its allow-list, and the key holds `translate:compat`.
    static func compatIdentity(apiKey: String?, request: Request, context: AppContext, env: ServerEnvironment) async throws -> Identity {
        let identity: Identity
        if let apiKey, !apiKey.isEmpty {
            identity = try await env.tokens.identity(apiKey: apiKey)
        } else if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            guard case .tenant(let fromToken) = try await env.tokens.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
                throw APIError.operatorNotTenant
            }
            identity = fromToken
        } else {
            throw APIError(.unauthorized, "missing_credentials", "an API key is required (docs/compatibility.md shows how each API sends it)")
        }
        context.audit.tenant = identity.tenant
        context.audit.keyID = identity.keyID
        try checkAllowList(identity.tenant, request: request, context: context, resolver: env.resolver)
        guard identity.scopes.contains(.translateCompat) else { throw APIError.insufficientScope(.translateCompat) }
        return identity
    }

    /// The source language of a call: the one asked for, else the one most of the texts are in.
    static func sourceLanguage(asked: String?, texts: [String], options: TextOptions = .plain, family: APIFamily,
                               env: ServerEnvironment, parameter: String) throws -> (code: String, detected: Bool, confidence: Double) {
        let served = Array(Set(env.translator.directions.map(\.source))).sorted()
        if let asked, asked.lowercased() != "auto" {
            return (try LanguageCodes.require(asked, parameter: parameter, family, served: served), false, 1)
        }
        let fallback = env.translator.directions.first?.source ?? "zh"
        let guess = LanguageGuess.guess(options.translatableText(texts), fallback: fallback)
        return (guess.language, true, guess.confidence)
    }

    /// The target languages served, the server's codes.
    static func servedTargets(_ env: ServerEnvironment) -> [String] { Array(Set(env.translator.directions.map(\.target))).sorted() }
}
