import Hummingbird

extension ServerApp {
    /// `POST /api/v1/translate` (tenant from the token) and `POST /api/v1/{tenant_id}/translate`.
    static func addTranslateRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        router.post("translate") { request, context in
            try await translate(request, context, env, identity: try context.require(.translateBasic))
        }
        router.post(":tenant_id/translate") { request, context in
            let tenant = context.parameters.get("tenant_id") ?? ""
            return try await translate(request, context, env, identity: try context.requireTenant(tenant, .translateBasic))
        }
    }

    static func translate(_ request: Request, _ context: AppContext, _ env: ServerEnvironment,
                          identity: Identity) async throws -> JSONResponse<TranslateResponse> {
        let body = try await request.decodeJSON(TranslateRequest.self, limit: env.config.maxBodyBytes)
        if case .batch(let items) = body.text {
            guard identity.scopes.contains(.translateBatch) else { throw APIError.insufficientScope(.translateBatch) }
            guard items.count <= env.config.maxBatchItems else {
                throw APIError(.contentTooLarge, "too_many_texts", "a batch holds at most \(env.config.maxBatchItems) texts; got \(items.count)")
            }
        }
        let characters = body.text.characters
        context.audit.characters = characters
        guard characters <= env.config.maxCharacters else { throw APIError.textTooLong(characters, env.config.maxCharacters) }
        let pair = try resolvePair(body, env.translator)
        let outputs: [String]
        do {
            outputs = try await env.translator.translate(body.text.texts, pair: pair)
        } catch let e as TranslationError {
            throw APIError(.internalServerError, "translation_failed", e.description)
        }
        let translated: TextInput
        switch body.text {
        case .single: translated = .single(outputs.first ?? "")
        case .batch: translated = .batch(outputs)
        }
        return JSONResponse(TranslateResponse(translatedText: translated, usage: .init(characters: characters)))
    }

    /// `source`/`target` default to the model's direction; anything else the model cannot do is a 400.
    static func resolvePair(_ body: TranslateRequest, _ translator: any Translator) throws -> LanguagePair {
        guard let first = translator.directions.first else { throw APIError(.serviceUnavailable, "not_ready", "no model is loaded") }
        let pair = LanguagePair(source: body.source?.lowercased() ?? first.source, target: body.target?.lowercased() ?? first.target)
        guard translator.directions.contains(pair) else {
            let known = translator.directions.map { "\($0.source)→\($0.target)" }.joined(separator: ", ")
            throw APIError(.badRequest, "unsupported_language_pair", "\(pair.source)→\(pair.target) is not served (available: \(known))")
        }
        return pair
    }
}
