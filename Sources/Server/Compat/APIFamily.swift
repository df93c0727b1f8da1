import Foundation
import HTTPTypes
import Hummingbird

/// The API families the server answers: its own and the drop-in ones (docs/compatibility.md). A request's family
/// follows from its path, and decides only the shape of its errors: every family runs the same path.
public enum APIFamily: String, CaseIterable, Sendable {
    case native
    case deepl
    case google
    case libretranslate

    static let libreTranslatePaths: Set<String> = ["/translate", "/detect", "/languages", "/frontend/settings"]

    /// The family of a request path.
    init(path: String) {
        if path.hasPrefix("/v2/") || path == "/v2" {
            self = .deepl
        } else if path.hasPrefix("/language/translate/v2") {
            self = .google
        } else if Self.libreTranslatePaths.contains(path) {
            self = .libretranslate
        } else {
            self = .native
        }
    }

    /// Whether requests of this family are audited (all API calls; not the web UI's files).
    static func isAudited(path: String) -> Bool { path.hasPrefix("/api/") || APIFamily(path: path) != .native }

    /// `error` in the family's own shape, so that its client libraries raise their usual exceptions:
    /// - DeepL: `{"message"}`; a bad key is 403, an exhausted quota 456.
    /// - Google: `{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}`.
    /// - LibreTranslate: `{"error"}`; a bad key is 403.
    /// The stable code stays in `X-Error-Code` (and the audit line); headers such as `Retry-After` are kept.
    func render(_ error: APIError) throws -> Response {
        let (status, headers, body) = try renderParts(error)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// ``render(_:)`` as status, headers and body bytes, for the handlers below the router (the connection cap).
    func renderParts(_ error: APIError) throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        var headers = error.extraHeaders
        headers[.wwwAuthenticate] = nil
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.xErrorCode] = error.code
        let status: HTTPResponse.Status
        let body: Any
        switch self {
        case .native:
            return try error.nativeParts()
        case .deepl:
            status = error.status == .unauthorized ? .forbidden
                : error.code == "quota_exceeded" ? HTTPResponse.Status(code: 456, reasonPhrase: "Quota Exceeded") : error.status
            body = ["message": error.message]
        case .google:
            status = error.status == .contentTooLarge ? .badRequest : error.status
            body = ["error": ["code": Int(status.code), "message": error.message, "status": Self.googleStatus(status),
                              "errors": [["message": error.message, "domain": "global", "reason": Self.googleReason(status, error.code)]]]]
        case .libretranslate:
            status = error.status == .unauthorized ? .forbidden : error.status
            body = ["error": error.message]
        }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        return (status, headers, Array(data))
    }

    static func googleStatus(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 405: return "UNIMPLEMENTED"
        case 429: return "RESOURCE_EXHAUSTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        default: return status.code >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"
        }
    }

    static func googleReason(_ status: HTTPResponse.Status, _ code: String) -> String {
        switch (status.code, code) {
        case (_, "quota_exceeded"): return "dailyLimitExceeded"
        case (429, _): return "rateLimitExceeded"
        case (401, _), (403, _): return "forbidden"
        case (404, _): return "notFound"
        case (_, "text_too_long"), (_, "payload_too_large"), (_, "too_many_texts"), (_, "too_many_sentences"): return "requestTooLarge"
        case (400, _): return "invalid"
        default: return "backendError"
        }
    }
}

extension HTTPField.Name {
    /// The API's stable error code, on drop-in routes whose bodies follow another service's shape.
    static let xErrorCode = Self("X-Error-Code")!
}
