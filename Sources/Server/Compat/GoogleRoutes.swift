import Foundation
import HTTPTypes
import Hummingbird
import Translation

/// Google Cloud Translation v2 (`/language/translate/v2`, `/detect`, `/languages`) over the one translation path.
extension ServerApp {
    struct GoogleData<T: Encodable & Sendable>: Encodable, Sendable { let data: T }
    struct GoogleTranslation: Encodable, Sendable {
        let translatedText: String
        /// Only when the caller gave no `source`, as Google does.
        let detectedSourceLanguage: String?
    }
    struct GoogleTranslations: Encodable, Sendable { let translations: [GoogleTranslation] }
    struct GoogleDetection: Encodable, Sendable {
        let language: String
        let isReliable: Bool
        let confidence: Double
    }
    struct GoogleDetections: Encodable, Sendable { let detections: [[GoogleDetection]] }
    struct GoogleLanguage: Encodable, Sendable {
        let language: String
        let name: String?
    }
    struct GoogleLanguages: Encodable, Sendable { let languages: [GoogleLanguage] }

    /// `key=` in the query or form, or `X-Goog-Api-Key` (Google's own ways); a bearer token is read by
    /// ``compatIdentity(apiKey:request:context:env:)`` when neither is there.
    static func googleKey(_ request: Request, _ p: CompatParameters) -> String? {
        p.first("key") ?? request.headers[HTTPField.Name("X-Goog-Api-Key")!]
    }

    static func addGoogleRoutes(_ router: Router<AppContext>, _ env: ServerEnvironment) {
        @Sendable func translate(_ request: Request, _ context: AppContext) async throws -> Response {
            context.audit.action = "compat.google.translate"
            let p = try await CompatParameters.read(request, limit: env.config.maxBodyBytes)
            let identity = try await compatIdentity(apiKey: googleKey(request, p), request: request, context: context, env: env)
            let texts = p.all("q")
            guard !texts.isEmpty else { throw APIError.badRequest("Required Text") }
            guard let targetText = p.first("target") else { throw APIError.badRequest("Required Target") }
            let target = try LanguageCodes.require(targetText, parameter: "target", .google, served: servedTargets(env))
            // Google's default format is html (tags kept, the translation HTML-escaped), as Google answers.
            let options = try TextOptions.parse(format: try p.format("format", allowed: ["text", "html"], fallback: "html"),
                                                ignoreTags: [], keep: [])
            let source = try sourceLanguage(asked: p.first("source"), texts: texts, options: options, family: .google, env: env, parameter: "source")
            let result = try await perform(TranslationCall(texts: texts, source: source.code, target: target, isBatch: texts.count > 1,
                                                           options: options),
                                           identity: identity, context: context, env: env)
            let detected = source.detected ? LanguageCodes.display(result.pair.source, .google) : nil
            let body = GoogleData(data: GoogleTranslations(translations: result.outputs.map {
                GoogleTranslation(translatedText: $0, detectedSourceLanguage: detected)
            }))
            var response = try JSONResponse(body).response(from: request, context: context)
            response.headers.append(contentsOf: result.headers)
            return response
        }
        router.post("language/translate/v2") { request, context in try await translate(request, context) }
        router.get("language/translate/v2") { request, context in try await translate(request, context) }

        @Sendable func detect(_ request: Request, _ context: AppContext) async throws -> JSONResponse<GoogleData<GoogleDetections>> {
            context.audit.action = "compat.google.detect"
            let p = try await CompatParameters.read(request, limit: env.config.maxBodyBytes)
            let identity = try await compatIdentity(apiKey: googleKey(request, p), request: request, context: context, env: env)
            let texts = p.all("q")
            guard !texts.isEmpty else { throw APIError.badRequest("Required Text") }
            try await checkDetectLimits(texts, identity, context, env)
            let fallback = env.translator.directions.first?.source ?? "zh"
            return JSONResponse(GoogleData(data: GoogleDetections(detections: texts.map { text in
                let g = LanguageGuess.guess(text, fallback: fallback)
                return [GoogleDetection(language: LanguageCodes.display(g.language, .google), isReliable: false,
                                        confidence: (g.confidence * 100).rounded() / 100)]
            })))
        }
        router.post("language/translate/v2/detect") { request, context in try await detect(request, context) }
        router.get("language/translate/v2/detect") { request, context in try await detect(request, context) }

        @Sendable func languages(_ request: Request, _ context: AppContext) async throws -> JSONResponse<GoogleData<GoogleLanguages>> {
            let p = try await CompatParameters.read(request, limit: 16 << 10)
            _ = try await compatIdentity(apiKey: googleKey(request, p), request: request, context: context, env: env)
            let named = p.first("target") != nil   // Google adds names (in the target language; here in English)
            let codes = Array(Set(env.translator.directions.flatMap { [$0.source, $0.target] })).sorted()
            return JSONResponse(GoogleData(data: GoogleLanguages(languages: codes.map {
                GoogleLanguage(language: LanguageCodes.display($0, .google), name: named ? LanguageCodes.name($0) : nil)
            })))
        }
        router.get("language/translate/v2/languages") { request, context in try await languages(request, context) }
        router.post("language/translate/v2/languages") { request, context in try await languages(request, context) }
    }

    /// Detection runs no model, so it is not billed, but it counts against the rate limits like any request and
    /// is bounded like a translation.
    static func checkDetectLimits(_ texts: [String], _ identity: Identity, _ context: AppContext, _ env: ServerEnvironment) async throws {
        let characters = try checkSize(texts, context, env)
        try await checkRateLimits(env, identity, identity.tenant.limits.resolved(env.isolationDefaults), characters: characters)
    }
}
