import Foundation
import Hummingbird

extension Request {
    /// Collects at most `limit` bytes and decodes JSON; 413 names the limit, 400 says what is wrong.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError.payloadTooLarge(limit)
        }
        return try decodeJSONBody(T.self, from: Data(buffer: buffer))
    }
}

/// Decodes a request body as JSON into `T` (closed bodies refuse unknown fields). Every failure is a 400
/// `APIError` saying what is wrong, or the `StoreError` a type raised for a value it refused: never another
/// error, whatever the bytes (Tools/fuzz/fuzz-request checks this).
func decodeJSONBody<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    do {
        return try JSONDecoder().decode(Checked<T>.self, from: data).value
    } catch let e as APIError {
        throw e
    } catch let e as StoreError {
        throw e   // a value a type refused while decoding (e.g. an unknown limit): 400 with its message
    } catch DecodingError.keyNotFound(let key, _) {
        throw APIError.badRequest("missing field '\(key.stringValue)'")
    } catch DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx) {
        throw APIError.badRequest("wrong type at '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))'")
    } catch DecodingError.dataCorrupted(let ctx) where !ctx.codingPath.isEmpty {
        throw APIError.badRequest("invalid value at '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))'")
    } catch {
        throw APIError.badRequest("the body is not valid JSON")
    }
}

/// Decodes `T`, refusing unknown top-level fields when `T` is a ``ClosedBody``.
private struct Checked<T: Decodable>: Decodable {
    let value: T
    init(from decoder: Decoder) throws {
        if let closed = T.self as? any ClosedBody.Type { try rejectUnknownFields(decoder, known: closed.fields) }
        value = try T(from: decoder)
    }
}

/// Encodes any Encodable as a JSON response with a status.
struct JSONResponse<T: Encodable & Sendable>: ResponseGenerator {
    let status: HTTPResponse.Status
    let body: T

    init(_ body: T, status: HTTPResponse.Status = .ok) {
        self.body = body
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
