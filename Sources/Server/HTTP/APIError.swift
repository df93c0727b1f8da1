import Foundation
import Hummingbird

/// An API failure: HTTP status, a stable machine-readable code and a message for humans.
/// Rendered as `{"error": {"code": "...", "message": "..."}}`.
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var extraHeaders: HTTPFields = [:]
    /// Extra string fields of the error object (e.g. `limit` and `reset_at` of a 429).
    public var details: [String: String] = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:],
                details: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.extraHeaders = headers
        self.details = details
    }

    public var headers: HTTPFields { extraHeaders }

    /// In the shape of the request's API family (``APIFamily/render(_:)``): the native one, or a drop-in API's.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIFamily(path: request.uri.path).render(self)
    }

    /// `{"error": {"code", "message", ...}}`.
    func nativeParts() throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        var headers = extraHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        var object = details
        object["code"] = code
        object["message"] = message
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (status, headers, Array(try encoder.encode(["error": object])))
    }

    // MARK: The errors the API returns

    static func bearerChallenge(_ error: String?) -> HTTPFields {
        var h = HTTPFields()
        h[.wwwAuthenticate] = "Bearer realm=\"csanmt\"" + (error.map { ", error=\"\($0)\"" } ?? "")
        return h
    }

    public static let missingCredentials = APIError(.unauthorized, "missing_credentials",
        "Authorization: Bearer <token> is required; get a token from POST /api/v1/auth/token", headers: bearerChallenge(nil))
    public static let malformedAuthorization = APIError(.unauthorized, "malformed_authorization",
        "the Authorization header must be 'Bearer <jwt>'", headers: bearerChallenge("invalid_request"))
    public static func invalidToken(_ code: String, _ message: String) -> APIError {
        APIError(.unauthorized, code, message, headers: bearerChallenge("invalid_token"))
    }
    public static let invalidCredentials = APIError(.unauthorized, "invalid_credentials", "unknown tenant or API key",
                                                    headers: bearerChallenge("invalid_token"))
    public static let tenantDisabled = APIError(.forbidden, "tenant_disabled", "this tenant is disabled; contact the operator")
    public static let tenantMismatch = APIError(.forbidden, "tenant_mismatch", "the token belongs to another tenant than the one this request concerns")
    public static let operatorRequired = APIError(.forbidden, "operator_required",
        "this request needs an operator token (POST /api/v1/auth/operator-token); tenant admins manage their own tenant only")
    public static let operatorNotTenant = APIError(.forbidden, "operator_not_tenant",
        "operators manage the service but do not translate or have usage of their own; use a tenant's API key")
    public static func insufficientScope(_ scope: Scope) -> APIError {
        APIError(.forbidden, "insufficient_scope", "this request needs the '\(scope.rawValue)' scope",
                 headers: bearerChallenge("insufficient_scope"))
    }
    public static func ipNotAllowed(_ ip: String) -> APIError {
        APIError(.forbidden, "ip_not_allowed", "requests from \(ip) are not in this tenant's IP allow-list")
    }
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_request", message) }
    public static func payloadTooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "the request body exceeds the limit of \(limit) bytes")
    }
    public static func textTooLong(_ count: Int, _ limit: Int) -> APIError {
        APIError(.contentTooLarge, "text_too_long", "the text has \(count) characters; the limit per request is \(limit)")
    }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    public static func busy(retryAfter seconds: Int) -> APIError {
        var h = HTTPFields()
        h[.retryAfter] = String(seconds)
        return APIError(.serviceUnavailable, "busy", "the service is busy; retry in \(seconds) s", headers: h,
                        details: ["retry_after": String(seconds)])
    }
    public static let translationTimeout = APIError(.gatewayTimeout, "translation_timeout",
                                                    "the translation took longer than this server allows; send less text per request")
    /// The tenant database does not answer (an outage): retry shortly; nothing was done.
    public static func storeUnavailable(_ message: String) -> APIError {
        var h = HTTPFields()
        h[.retryAfter] = "2"
        return APIError(.serviceUnavailable, "store_unavailable", message, headers: h, details: ["retry_after": "2"])
    }
    public static func quotaUnavailable(_ message: String) -> APIError {
        var h = HTTPFields()
        h[.retryAfter] = "5"
        return APIError(.serviceUnavailable, "quota_unavailable", message, headers: h)
    }
}
