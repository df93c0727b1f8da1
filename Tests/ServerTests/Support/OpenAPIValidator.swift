import Foundation
@testable import Server

/// Checks JSON responses against the served OpenAPI document (the subset of JSON Schema it uses: type, required,
/// properties, items, enum, const, oneOf, pattern, minimum, $ref). Returns the problems found.
struct OpenAPIValidator: @unchecked Sendable {
    let doc: [String: Any]

    init() throws {
        doc = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any] ?? [:]
    }

    /// The schema for `method path` answering `status` (path templates like `/api/v1/{tenant_id}/translate` match).
    func responseSchema(method: String, path: String, status: Int) -> [String: Any]? {
        let paths = doc["paths"] as? [String: Any] ?? [:]
        guard let (_, item) = paths.first(where: { Self.matches(template: $0.key, path: path) }),
              let op = (item as? [String: Any])?[method.lowercased()] as? [String: Any],
              var response = (op["responses"] as? [String: Any])?[String(status)] as? [String: Any] else { return nil }
        if let ref = response["$ref"] as? String { response = resolve(ref) }
        return ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
    }

    static func matches(template: String, path: String) -> Bool {
        let t = template.split(separator: "/"), p = path.split(separator: "/")
        return t.count == p.count && zip(t, p).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }

    func resolve(_ ref: String) -> [String: Any] {
        var node: Any = doc
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return node as? [String: Any] ?? [:]
    }

    func validate(_ value: Any, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String { return validate(value, resolve(ref), at: path) }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let passing = options.filter { validate(value, $0, at: path).isEmpty }.count
            return passing == 1 ? [] : ["\(path): matches \(passing) of oneOf"]
        }
        var problems: [String] = []
        if let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map({ [$0] }),
           !types.contains(where: { Self.isType(value, $0) }) {
            return ["\(path): expected \(types), got \(type(of: value))"]
        }
        if let allowed = schema["enum"] as? [String], let s = value as? String, !allowed.contains(s) { problems.append("\(path): '\(s)' not in enum") }
        if let c = schema["const"] as? String, value as? String != c { problems.append("\(path): expected const \(c)") }
        if let pattern = schema["pattern"] as? String, let s = value as? String, s.range(of: pattern, options: .regularExpression) == nil {
            problems.append("\(path): '\(s)' does not match \(pattern)")
        }
        if let obj = value as? [String: Any] {
            for r in schema["required"] as? [String] ?? [] where obj[r] == nil { problems.append("\(path): missing '\(r)'") }
            for (k, sub) in schema["properties"] as? [String: [String: Any]] ?? [:] {
                if let v = obj[k] { problems += validate(v, sub, at: "\(path).\(k)") }
            }
        }
        if let arr = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (i, v) in arr.enumerated() { problems += validate(v, items, at: "\(path)[\(i)]") }
        }
        return problems
    }

    /// JSONSerialization gives NSNumber for both numbers and booleans; booleans have objCType "c" (char).
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    static func isType(_ v: Any, _ t: String) -> Bool {
        switch t {
        case "object": return v is [String: Any]
        case "array": return v is [Any]
        case "string": return v is String
        case "null": return v is NSNull
        case "boolean": return (v as? NSNumber).map(isBool) ?? false
        case "integer": return (v as? NSNumber).map { !isBool($0) && $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "number": return (v as? NSNumber).map { !isBool($0) } ?? false
        default: return true
        }
    }
}
