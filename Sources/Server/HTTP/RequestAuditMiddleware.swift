import Foundation
import HTTPTypes
import Hummingbird
import Translation

/// Outermost middleware: gives each request an id (`X-Request-Id`), turns every error into the JSON error body,
/// sets security headers, and writes the audit line for API requests (`/api/` and the drop-in routes).
struct RequestAuditMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let audit: AuditLog?
    let resolver: ClientAddressResolver
    let metrics: ServerMetrics?
    let now: @Sendable () -> Date
    /// Served over TLS: tell browsers to use HTTPS only (two years, subdomains included).
    var strictTransportSecurity = false

    /// Strict: scripts, styles and requests only from this origin; no inline code, no framing, no plugins.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = "req_" + APIKeyCodec.randomBase62(16)
        context.audit.requestID = requestID
        context.audit.clientIP = resolver.clientIP(peer: context.remoteAddress, headers: request.headers)?.description
        var response: Response
        var errorCode: String?
        do {
            response = try await next(request, context)
        } catch {
            var apiError = Self.apiError(for: error)
            if apiError.status == .notFound {
                // A documented path with another method (no route matched it) is a 405 naming the allowed ones.
                let allowed = DocumentedRoutes.methods(for: request.uri.path)
                if !allowed.isEmpty && !allowed.contains(request.method.rawValue) {
                    var h = HTTPFields()
                    h[.allow] = allowed.joined(separator: ", ")
                    apiError = APIError(.methodNotAllowed, "method_not_allowed",
                                        "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowed.joined(separator: " or "))",
                                        headers: h)
                }
            }
            if apiError.status == .internalServerError {
                context.logger.error("request \(requestID) failed: \(String(reflecting: error))")
            } else if apiError.status.code >= 500 {
                context.logger.notice("request \(requestID): \(apiError.status.code) \(apiError.code)")
            }
            errorCode = apiError.code
            if [429, 503, 413].contains(apiError.status.code), let tenant = context.audit.tenant?.id {
                metrics?.rejected(tenant: tenant, reason: apiError.code)
            }
            response = try apiError.response(from: request, context: context)
        }
        response.headers[.xRequestID] = requestID
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        if strictTransportSecurity { response.headers[.strictTransportSecurity] = "max-age=63072000; includeSubDomains" }
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        metrics?.request(tenant: context.audit.tenant?.id, route: context.endpointPath ?? "unmatched",
                         status: Int(response.status.code), seconds: ms / 1000)
        // Probes are not audited: unauthenticated, frequent, and they would rotate the trail away.
        if let audit, APIFamily.isAudited(path: request.uri.path), !Self.probes.contains(request.uri.path) {
            let s = context.audit
            audit.write(AuditEvent(
                time: now(), requestID: requestID, clientIP: s.clientIP, tenantID: s.tenant?.id, tenantName: s.tenant?.name,
                keyID: s.keyID, method: request.method.rawValue, path: request.uri.path, status: Int(response.status.code),
                latencyMs: (ms * 1000).rounded() / 1000, characters: s.characters, error: errorCode, action: s.action,
                target: s.target, cache: s.cache, changes: s.changes, actor: s.operatorID == nil ? nil : "operator",
                operatorID: s.operatorID, targetTenant: s.targetTenant, truncated: s.truncated))
        }
        return response
    }

    static let probes: Set<String> = ["/api/health", "/api/ready"]

    /// Maps any error to the API's error shape; internal details never leak. The one place where domain errors
    /// (auth, store, quota, rate limits, admission, the engine's) become HTTP.
    static func apiError(for error: Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as AuthError:
            switch e {
            case .invalidCredentials: return .invalidCredentials
            case .invalidToken(let code, let message): return .invalidToken(code, message)
            case .tenantDisabled: return .tenantDisabled
            }
        case let e as QuotaExceeded:
            return .quotaExceeded(e)
        case let e as StoreError:
            switch e {
            case .invalid(let m): return APIError(.badRequest, "invalid_request", m)
            case .notFound(let m): return APIError(.notFound, "not_found", m)
            case .conflict(let m): return APIError(.conflict, "conflict", m)
            case .secrets: return APIError(.internalServerError, "internal_error", "internal error; the request id identifies it in the server log")
            case .unavailable(let m): return .storeUnavailable(m)
            }
        case let e as QuotaUnavailable:
            return .quotaUnavailable(e.description)
        case let e as TranslationError:
            switch e {
            case .busy(let seconds): return .busy(retryAfter: seconds)
            case .overShare(let seconds): return .concurrencyLimit(e.description, retryAfter: seconds)
            case .unsupportedPair: return APIError(.badRequest, "unsupported_language_pair", e.description)
            case .failed: return APIError(.internalServerError, "translation_failed", e.description)
            }
        case let e as Admission.Refusal:
            switch e {
            case .inFlight(let limit):
                return .concurrencyLimit("this tenant already has \(limit) requests in flight, its limit; retry when one is done",
                                         retryAfter: 1)
            case .queued(let sentences, let limit):
                return .concurrencyLimit("this tenant has \(sentences) sentences waiting (limit \(limit)); retry when they are done",
                                         retryAfter: 1)
            }
        case let e as RateLimited:
            return .rateLimited(e)
        case let e as TooManySentences:
            return APIError(.contentTooLarge, "too_many_sentences",
                            "the request holds \(e.count) sentences; the limit per request is \(e.limit)")
        case let e as HTTPError:
            let code: String
            switch e.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "payload_too_large"
            case .badRequest: code = "bad_request"
            case .unauthorized: code = "unauthorized"
            case .forbidden: code = "forbidden"
            default: code = e.status.code >= 500 ? "internal_error" : "http_\(e.status.code)"
            }
            return APIError(e.status, code, e.body ?? e.status.reasonPhrase)
        default:
            return APIError(.internalServerError, "internal_error", "internal error; the request id identifies it in the server log")
        }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
