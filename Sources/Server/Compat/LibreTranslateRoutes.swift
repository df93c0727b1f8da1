import Foundation
import Hummingbird
import Translation

/// LibreTranslate (`/translate`, `/detect`, `/languages`, `/frontend/settings`) over the one translation path.
extension ServerApp {
    struct LibreDetected: Encodable, Sendable {
        /// 0-100, as LibreTranslate reports it.
        let confidence: Double
        let language: String
    }
    /// `translatedText` (and `detectedLanguage`) mirror `q`: a string for a string, a list for a list.
    struct LibreTranslation: Encodable, Sendable {
        let translatedText: TextInput
        let detectedLanguage: OneOrMany<LibreDetected>?
        /// Alternative translations: this server has one per text, so the lists are empty.
        let alternatives: OneOrMany<[String]>?
    }
    struct LibreLanguage: Encodable, Sendable {
        let code: String
        let name: String
        let targets: [String]
    }
    struct LibreSettings: Encodable, Sendable {
        struct Language: Encodable, Sendable { let code: String; let name: String }
        struct Languages: Encodable, Sendable { let source: Language; let target: Language }
        let apiKeys: Bool
        let keyRequired: Bool
        let charLimit: Int
        let frontendTimeout: Int
        let suggestions: Bool
        let filesTranslation: Bool
        let supportedFilesFormat: [String]
        let language: Languages
    }

    static func addLibreTranslateRoutes(_ router: Router<AppContext>, _ env: ServerEnvironment) {
        router.post("translate") { request, context -> Response in
            context.audit.action = "compat.libretranslate.translate"
            let p = try await CompatParameters.read(request, limit: env.config.maxBodyBytes)
            let identity = try await compatIdentity(apiKey: p.first("api_key"), request: request, context: context, env: env)
            let texts = p.all("q")
            guard !texts.isEmpty else { throw APIError.badRequest("Invalid request: missing q parameter") }
            guard let targetText = p.first("target") else { throw APIError.badRequest("Invalid request: missing target parameter") }
            let target = try LanguageCodes.require(targetText, parameter: "target", .libretranslate, served: servedTargets(env))
            let options = try TextOptions.parse(format: try p.format("format", allowed: ["text", "html"], fallback: nil),
                                                ignoreTags: [], keep: [])
            let isList = p.isList("q")
            let source = try sourceLanguage(asked: p.first("source"), texts: texts, options: options, family: .libretranslate, env: env, parameter: "source")
            let result = try await perform(TranslationCall(texts: texts, source: source.code, target: target, isBatch: texts.count > 1,
                                                           options: options),
                                           identity: identity, context: context, env: env)
            let detected = source.detected
                ? LibreDetected(confidence: (source.confidence * 100).rounded(), language: result.pair.source) : nil
            let wantsAlternatives = (Int(p.first("alternatives") ?? "0") ?? 0) > 0
            let body = LibreTranslation(
                translatedText: isList ? .batch(result.outputs) : .single(result.outputs.first ?? ""),
                detectedLanguage: detected.map { isList ? .many(Array(repeating: $0, count: texts.count)) : .one($0) },
                alternatives: wantsAlternatives ? (isList ? .many(texts.map { _ in [] }) : .one([])) : nil)
            var response = try JSONResponse(body).response(from: request, context: context)
            response.headers.append(contentsOf: result.headers)
            return response
        }
        router.post("detect") { request, context -> JSONResponse<[LibreDetected]> in
            context.audit.action = "compat.libretranslate.detect"
            let p = try await CompatParameters.read(request, limit: env.config.maxBodyBytes)
            let identity = try await compatIdentity(apiKey: p.first("api_key"), request: request, context: context, env: env)
            let texts = p.all("q")
            guard !texts.isEmpty else { throw APIError.badRequest("Invalid request: missing q parameter") }
            try await checkDetectLimits(texts, identity, context, env)
            let g = LanguageGuess.guess(texts.joined(separator: "\n"), fallback: env.translator.directions.first?.source ?? "zh")
            return JSONResponse([LibreDetected(confidence: (g.confidence * 100).rounded(), language: g.language)])
        }
        // Anonymous, as in LibreTranslate: front-ends ask before they have a key; the directions are no secret.
        @Sendable func languages() -> JSONResponse<[LibreLanguage]> {
            let sources = Array(Set(env.translator.directions.map(\.source))).sorted()
            return JSONResponse(sources.map { s in
                LibreLanguage(code: s, name: LanguageCodes.name(s),
                              targets: env.translator.directions.filter { $0.source == s }.map(\.target).sorted())
            })
        }
        router.get("languages") { _, _ in languages() }
        router.post("languages") { _, _ in languages() }
        router.get("frontend/settings") { _, _ -> JSONResponse<LibreSettings> in
            let first = env.translator.directions.first ?? LanguagePair(source: "zh", target: "en")
            return JSONResponse(LibreSettings(
                apiKeys: true, keyRequired: true, charLimit: env.config.maxCharacters, frontendTimeout: 500, suggestions: false,
                filesTranslation: false, supportedFilesFormat: [],
                language: .init(source: .init(code: "auto", name: "Auto Detect"),
                                target: .init(code: first.target, name: LanguageCodes.name(first.target)))))
        }
    }
}
