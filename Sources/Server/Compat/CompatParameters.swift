import Foundation
import Hummingbird

/// A drop-in route's parameters by name, each a list of strings: the query string, then a form
/// (`application/x-www-form-urlencoded`) or JSON body. `text=a&text=b`, `{"text": ["a", "b"]}` and `?q=a&q=b` all
/// give two values, as the official clients send them.
struct CompatParameters: Sendable {
    private(set) var values: [String: [String]] = [:]
    /// Names given as a JSON array (a list of one stays a list in the answer).
    private(set) var jsonLists: Set<String> = []

    /// All values of `name`, in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }
    /// The first value of `name`, nil when absent or empty.
    func first(_ name: String) -> String? { values[name]?.first.flatMap { $0.isEmpty ? nil : $0 } }
    /// The markup format named by `name` (DeepL's `tag_handling`, Google's and LibreTranslate's `format`): every value
    /// sent must be one of `allowed` or empty (400 otherwise); the first non-empty one, else `fallback`.
    func format(_ name: String, allowed: Set<String>, fallback: String?) throws -> String? {
        let values = all(name)
        if let bad = values.first(where: { !$0.isEmpty && !allowed.contains($0.lowercased()) }) {
            throw APIError.badRequest("'\(name)' must be one of \(allowed.sorted().joined(separator: ", ")); got '\(bad)'")
        }
        return values.first { !$0.isEmpty } ?? fallback
    }

    /// Whether the client sent `name` as a list: a JSON array, or the name repeated.
    func isList(_ name: String) -> Bool { jsonLists.contains(name) || all(name).count > 1 }

    /// Reads the query and at most `limit` bytes of body; 400 for a body that is neither valid JSON nor a form.
    static func read(_ request: Request, limit: Int) async throws -> CompatParameters {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch { throw APIError.payloadTooLarge(limit) }
        return try parse(query: request.uri.query, body: Data(buffer: buffer), contentType: request.headers[.contentType])
    }

    /// The parameters of a query string and a body: JSON when `contentType` says so, else a form. Every failure is
    /// a 400 `APIError`, whatever the bytes (Tools/fuzz/fuzz-request checks this).
    static func parse(query: String?, body: Data, contentType: String?) throws -> CompatParameters {
        var p = CompatParameters()
        if let query { try p.addForm(query) }
        guard !body.isEmpty else { return p }
        if (contentType ?? "").lowercased().hasPrefix("application/json") {
            try p.addJSON(body)
        } else {
            try p.addForm(String(decoding: body, as: UTF8.self))
        }
        return p
    }

    /// `a=1&b=x+y&b=%E4%BD%A0`: `+` is a space; bad percent-escapes are a 400.
    mutating func addForm(_ text: String) throws {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) throws -> String {
                guard let d = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw APIError.badRequest("the form holds a malformed percent-escape")
                }
                return d
            }
            var name = try decode(parts[0])
            if name.hasSuffix("[]") { name.removeLast(2) }   // `text[]=a`, as some form encoders write lists
            values[name, default: []].append(parts.count > 1 ? try decode(parts[1]) : "")
        }
    }

    /// A JSON object whose values are strings, numbers, booleans, null or arrays of those.
    mutating func addJSON(_ data: Data) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("the body is not a JSON object")
        }
        func scalar(_ v: Any, _ name: String) throws -> String? {
            switch v {
            case let s as String: return s
            case is NSNull: return nil
            case let n as NSNumber: return n.stringValue
            default: throw APIError.badRequest("'\(name)' must be a string, a number or a list of them")
            }
        }
        for (name, value) in object {
            if let list = value as? [Any] {
                jsonLists.insert(name)
                values[name, default: []] += try list.compactMap { try scalar($0, name) }
            } else if let v = try scalar(value, name) {
                values[name, default: []].append(v)
            }
        }
    }
}
