import Foundation
import Hummingbird
import Translation

/// DeepL API v2 (`/v2/translate`, `/v2/usage`, `/v2/languages`) over the one translation path.
extension ServerApp {
    struct DeepLTranslation: Encodable, Sendable {
        let detectedSourceLanguage: String
        let text: String
        let billedCharacters: Int
        enum CodingKeys: String, CodingKey {
            case detectedSourceLanguage = "detected_source_language", text, billedCharacters = "billed_characters"
        }
    }
    struct DeepLTranslations: Encodable, Sendable { let translations: [DeepLTranslation] }
    struct DeepLUsage: Encodable, Sendable {
        let characterCount: Int
        let characterLimit: Int
        enum CodingKeys: String, CodingKey { case characterCount = "character_count", characterLimit = "character_limit" }
    }
    struct DeepLLanguage: Encodable, Sendable {
        let language: String
        let name: String
        var supportsFormality: Bool?
        enum CodingKeys: String, CodingKey { case language, name, supportsFormality = "supports_formality" }
    }

    /// DeepL's limit on texts per request.
    static let deepLMaxTexts = 50
    /// What `/v2/usage` reports as the limit of a tenant without a daily character quota (DeepL's own figure for
    /// unlimited plans).
    static let deepLUnlimited = 1_000_000_000_000

    /// `DeepL-Auth-Key <key>`.
    static func deepLKey(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "deepl-auth-key" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    static func addDeepLRoutes(_ router: Router<AppContext>, _ env: ServerEnvironment) {
        router.post("v2/translate") { request, context -> Response in
            context.audit.action = "compat.deepl.translate"
            let p = try await CompatParameters.read(request, limit: env.config.maxBodyBytes)
            let identity = try await compatIdentity(apiKey: deepLKey(request), request: request, context: context, env: env)
            let texts = p.all("text")
            guard !texts.isEmpty else { throw APIError.badRequest("Parameter 'text' not specified.") }
            guard texts.count <= deepLMaxTexts else {
                throw APIError(.contentTooLarge, "too_many_texts", "a request holds at most \(deepLMaxTexts) texts; got \(texts.count)")
            }
            guard let targetText = p.first("target_lang") else { throw APIError.badRequest("Value for 'target_lang' not specified.") }
            let target = try LanguageCodes.require(targetText, parameter: "target_lang", .deepl, served: servedTargets(env))
            // tag_handling html or xml; ignore_tags is a comma-separated list, as DeepL takes it.
            let ignore = p.all("ignore_tags").flatMap { $0.split(separator: ",").map(String.init) }
            let options = try TextOptions.parse(format: try p.format("tag_handling", allowed: ["html", "xml"], fallback: nil),
                                                ignoreTags: ignore, keep: [])
            let source = try sourceLanguage(asked: p.first("source_lang"), texts: texts, options: options, family: .deepl, env: env, parameter: "source_lang")
            let result = try await perform(TranslationCall(texts: texts, source: source.code, target: target, isBatch: texts.count > 1,
                                                           options: options),
                                           identity: identity, context: context, env: env)
            let detected = LanguageCodes.display(result.pair.source, .deepl)
            let body = DeepLTranslations(translations: zip(texts, result.outputs).map { text, out in
                DeepLTranslation(detectedSourceLanguage: detected, text: out, billedCharacters: text.unicodeScalars.count)
            })
            var response = try JSONResponse(body).response(from: request, context: context)
            response.headers.append(contentsOf: result.headers)
            return response
        }
        @Sendable func usage(_ request: Request, _ context: AppContext) async throws -> JSONResponse<DeepLUsage> {
            let identity = try await compatIdentity(apiKey: deepLKey(request), request: request, context: context, env: env)
            let day = UsageDay(env.now())
            let used = try await env.quota.usage(tenants: [identity.tenant.id], day: day)[identity.tenant.id] ?? QuotaUsage()
            return JSONResponse(DeepLUsage(characterCount: used.characters, characterLimit: identity.tenant.dailyCharacters ?? deepLUnlimited))
        }
        router.get("v2/usage") { request, context in try await usage(request, context) }
        router.post("v2/usage") { request, context in try await usage(request, context) }
        @Sendable func languages(_ request: Request, _ context: AppContext) async throws -> JSONResponse<[DeepLLanguage]> {
            let p = try await CompatParameters.read(request, limit: 16 << 10)
            _ = try await compatIdentity(apiKey: deepLKey(request), request: request, context: context, env: env)
            switch p.first("type") ?? "source" {
            case "source":
                let codes = Array(Set(env.translator.directions.map(\.source))).sorted()
                return JSONResponse(codes.map { DeepLLanguage(language: LanguageCodes.display($0, .deepl), name: LanguageCodes.name($0)) })
            case "target":
                return JSONResponse(servedTargets(env).flatMap { code -> [DeepLLanguage] in
                    code == "en"
                        ? [DeepLLanguage(language: "EN-GB", name: "English (British)", supportsFormality: false),
                           DeepLLanguage(language: "EN-US", name: "English (American)", supportsFormality: false)]
                        : [DeepLLanguage(language: "ZH-HANS", name: "Chinese (simplified)", supportsFormality: false)]
                })
            case let other:
                throw APIError.badRequest("Value for 'type' not supported: '\(other)' (source or target)")
            }
        }
        router.get("v2/languages") { request, context in try await languages(request, context) }
        router.post("v2/languages") { request, context in try await languages(request, context) }
    }
}
