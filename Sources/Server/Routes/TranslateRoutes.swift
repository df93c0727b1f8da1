import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Translation

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

    /// `POST /api/v1/translate`: the native shape over ``perform(_:identity:context:env:)``.
    static func translate(_ request: Request, _ context: AppContext, _ env: ServerEnvironment,
                          identity: Identity) async throws -> Response {
        let body = try await request.decodeJSON(TranslateRequest.self, limit: env.config.maxBodyBytes)
        let isBatch: Bool
        if case .batch = body.text { isBatch = true } else { isBatch = false }
        let result = try await perform(TranslationCall(texts: body.text.texts, source: body.source, target: body.target, isBatch: isBatch,
                                                       options: try body.textOptions()),
                                       identity: identity, context: context, env: env)
        let translated: TextInput = isBatch ? .batch(result.outputs) : .single(result.outputs.first ?? "")
        let truncated: OneOrMany<Bool>? = !result.truncated.contains(true) ? nil
            : isBatch ? .many(result.truncated) : .one(result.truncated.first ?? false)
        var response = try JSONResponse(TranslateResponse(translatedText: translated, usage: .init(characters: result.characters),
                                                          truncated: truncated))
            .response(from: request, context: context)
        response.headers.append(contentsOf: result.headers)
        return response
    }

    /// `X-Translation-Truncated: N`: N texts of the answer were cut (a chunk's decoding ran out of steps).
    static let truncatedHeader = HTTPField.Name("X-Translation-Truncated")!

    /// The one translation path of every API family (native, DeepL, Google, LibreTranslate):
    /// size → rate limits (every request counts from here, valid or not: a client looping on 413s is stopped too)
    /// → validation → admission (the tenant's share of this replica) → quota (atomically) → cache → scheduler.
    /// Refusals before any work are not billed; a request whose sentences were tokenised or ran is, even if its
    /// client left or it timed out. The result carries the RateLimit headers.
    static func perform(_ call: TranslationCall, identity: Identity, context: AppContext,
                        env: ServerEnvironment) async throws -> TranslationResult {
        if call.isBatch, !identity.scopes.contains(.translateBatch) { throw APIError.insufficientScope(.translateBatch) }
        let characters = try checkSize(call.texts, context, env)
        let tenant = identity.tenant.id
        let limits = identity.tenant.limits.resolved(env.isolationDefaults)
        try await checkRateLimits(env, identity, limits, characters: characters)
        let pair = try resolvePair(source: call.source, target: call.target, texts: call.texts, options: call.options, env.translator)
        let sentences = env.translator.sentenceCount(call.texts)
        guard sentences <= env.config.maxSentencesPerRequest else {
            throw TooManySentences(count: sentences, limit: env.config.maxSentencesPerRequest)
        }

        let ticket = try env.admission.admit(tenant: tenant, limits: limits, queuedSentences: env.translator.queuedSentences(tenant: tenant))
        defer { ticket.release() }

        let now = env.now()
        let day = UsageDay(now)
        let quotaLimits = QuotaLimits(identity.tenant)
        let usage = try await consumeQuota(env, tenant: tenant, day: day, now: now, characters: characters, limits: quotaLimits)

        let owner = SchedulingClass(tenant: tenant, weight: limits.weight, maxQueued: limits.maxQueuedSentences)
        let outputs: [TranslatedText]
        do {
            outputs = try await cachedTranslate(call.texts, pair: pair, options: call.options, owner: owner, env: env, context: context)
        } catch {
            if refusedBeforeWork(error) { try? await env.quota.refund(tenant: tenant, day: day, requests: 1, characters: characters) }
            throw error
        }
        await storeEngineTime(env, day: day)
        var headers = HTTPFields()
        RateLimitHeaders.apply(to: &headers, limits: quotaLimits, usage: usage, resetIn: day.secondsUntilReset(from: now))
        let truncated = outputs.map(\.truncated)
        if truncated.contains(true) {
            // Every API family carries the flag in a header; the native body also names the texts.
            headers[Self.truncatedHeader] = String(truncated.filter { $0 }.count)
            context.audit.truncated = truncated.filter { $0 }.count
        }
        return TranslationResult(outputs: outputs.map(\.text), truncated: truncated, characters: characters, pair: pair, headers: headers)
    }

    /// The per-request size limits of translation and detection alike: at most `max_batch_items` texts (one
    /// text is always within it) and `max_characters` characters. Records the characters (Unicode code points, as
    /// billed) in the audit line and returns them.
    static func checkSize(_ texts: [String], _ context: AppContext, _ env: ServerEnvironment) throws -> Int {
        guard texts.count <= env.config.maxBatchItems else {
            throw APIError(.contentTooLarge, "too_many_texts", "a batch holds at most \(env.config.maxBatchItems) texts; got \(texts.count)")
        }
        let characters = texts.reduce(0) { $0 + $1.unicodeScalars.count }
        context.audit.characters = characters
        guard characters <= env.config.maxCharacters else { throw APIError.textTooLong(characters, env.config.maxCharacters) }
        return characters
    }

    /// Refusals by the scheduler before any engine work, which are not billed: the queue is full (`busy`), the
    /// tenant's share is (`overShare`), or the text has more pieces than the whole queue holds.
    static func refusedBeforeWork(_ error: Error) -> Bool {
        switch error {
        case TranslationError.busy, TranslationError.overShare: return true
        case is TooManySentences: return true
        default: return false
        }
    }

    /// The tenant's and the key's short-window limits, charged together or not at all; throws ``RateLimited``.
    static func checkRateLimits(_ env: ServerEnvironment, _ identity: Identity, _ limits: EffectiveLimits,
                                characters: Int) async throws {
        let rules = RateRule.rules(tenant: identity.tenant.id, limits: limits, keyID: identity.keyID,
                                   keyLimits: identity.keyLimits, characters: characters)
        if case .limited(let rule, let retryAfter) = try await env.rateLimiter.check(rules) {
            guard retryAfter != nil else {
                // Larger than a whole minute of characters: waiting cannot help, so it is a 413, not a 429.
                throw APIError(.contentTooLarge, "text_too_long",
                               "the text has \(characters) characters; this \(rule.name.hasPrefix("key") ? "key" : "tenant") may send at most \(rule.quota) per minute")
            }
            throw RateLimited(rule: rule, retryAfter: retryAfter)
        }
    }

    /// Writes the engine time the scheduler measured (for every tenant, since the last write) to the usage store.
    /// Best effort: a failed write is logged by the store's own failure handling and retried with the next one.
    static func storeEngineTime(_ env: ServerEnvironment, day: UsageDay) async {
        let ms = env.metrics.engineMeter.drain()
        guard !ms.isEmpty else { return }
        try? await env.quota.addEngineTime(ms, day: day)
    }

    /// Counts the request and its characters, or throws 429 naming the limit (503 if the quota store is down and
    /// the server fails closed).
    static func consumeQuota(_ env: ServerEnvironment, tenant: String, day: UsageDay, now: Date, characters: Int,
                             limits: QuotaLimits) async throws -> QuotaUsage {
        switch try await env.quota.consume(tenant: tenant, day: day, requests: 1, characters: characters, limits: limits) {
        case .allowed(let usage):
            return usage
        case .rejected(let kind, let usage):
            env.metrics.quotaRejected(tenant: tenant, kind: kind)
            throw QuotaExceeded(kind: kind, limits: limits, usage: usage, day: day, now: now)
        }
    }

    /// Translations from the cache where possible; the rest from the translator, under the deadline and cancelled
    /// when the client disconnects. Records the cache outcome in the audit line and the metrics.
    static func cachedTranslate(_ texts: [String], pair: LanguagePair, options: TextOptions, owner: SchedulingClass,
                                env: ServerEnvironment, context: AppContext) async throws -> [TranslatedText] {
        let cache = env.cache
        guard cache.isEnabled else {
            return try await translateGuarded(texts, pair: pair, options: options, owner: owner, env: env, context: context)
        }
        // The options are part of the key: the same text as HTML or with terms kept is another translation.
        let keys = texts.map { cache.key(tenant: owner.tenant, model: env.translator.cacheIdentity, pair: pair,
                                         text: options.cacheVariant.isEmpty ? $0 : options.cacheVariant + "\u{0}" + $0) }
        var outputs = await cache.lookup(keys).map { $0.map { TranslatedText(text: $0) } }
        let missing = outputs.indices.filter { outputs[$0] == nil }
        let hits = texts.count - missing.count
        env.metrics.cache(hits: hits, misses: missing.count)
        context.audit.cache = missing.isEmpty ? "hit" : hits == 0 ? "miss" : "partial"
        if !missing.isEmpty {
            let fresh = try await translateGuarded(missing.map { texts[$0] }, pair: pair, options: options, owner: owner, env: env,
                                                   context: context)
            for (k, i) in missing.enumerated() { outputs[i] = fresh[k] }
            // A truncated translation is not cached: only complete ones are worth serving again.
            cache.store(missing.enumerated().filter { !fresh[$0.offset].truncated }.map { (keys[$1], fresh[$0].text) })
        }
        return outputs.map { $0 ?? TranslatedText(text: "") }
    }

    /// Runs the translation in a child task that is cancelled when the deadline passes (504) or the connection
    /// closes (the client left: its sentences leave the queue).
    static func translateGuarded(_ texts: [String], pair: LanguagePair, options: TextOptions, owner: SchedulingClass,
                                 env: ServerEnvironment, context: AppContext) async throws -> [TranslatedText] {
        let translator = env.translator
        let job = TranslationJob(texts: texts, pair: pair, owner: owner, options: options)
        let work = Task { try await translator.translate(job) }
        let timedOut = Flag()
        let deadline = Task {
            try await Task.sleep(for: .milliseconds(Int(env.config.translationTimeout * 1000)))
            timedOut.set()
            work.cancel()
        }
        context.connection?.onClientGone { work.cancel() }
        defer {
            deadline.cancel()
            context.connection?.clear()
        }
        do {
            return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
        } catch is CancellationError {
            // Billed: its sentences were tokenised and may have run (their engine time is metered all the same).
            await storeEngineTime(env, day: UsageDay(env.now()))
            if timedOut.isSet { throw APIError.translationTimeout }
            throw APIError(HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"), "client_closed",
                           "the client closed the connection before the translation was done")
        }
    }

    /// `source`/`target` default to the model's direction; anything else the model cannot do is a 400.
    /// The direction of a request (``LanguagePair/requested(source:target:text:served:)``; language detection reads
    /// only the text that reaches the model, so tag names and URLs do not count as English). 400
    /// `unsupported_language_pair` names the directions served.
    static func resolvePair(source: String?, target: String?, texts: [String], options: TextOptions = .plain,
                            _ translator: any Translator) throws -> LanguagePair {
        let directions = translator.directions
        guard let pair = LanguagePair.requested(source: source, target: target, text: options.translatableText(texts),
                                                served: directions) else {
            throw APIError(.serviceUnavailable, "not_ready", "no model is loaded")
        }
        guard directions.contains(pair) else {
            let known = directions.map { "\($0.source)→\($0.target)" }.joined(separator: ", ")
            throw APIError(.badRequest, "unsupported_language_pair", "\(pair.source)→\(pair.target) is not served (available: \(known))")
        }
        return pair
    }
}

/// A thread-safe one-way flag.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
