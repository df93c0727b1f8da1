import Foundation

/// The routes the OpenAPI document describes, for answering a known path with the wrong method: 405 with
/// `Allow` instead of 404 (RFC 9110 §15.5.6). The document is the contract, and a test keeps it complete.
enum DocumentedRoutes {
    /// Path templates split into segments (`{id}` matches any one segment) with their methods.
    static let table: [(segments: [String], methods: [String])] = {
        guard let object = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any],
              let paths = object["paths"] as? [String: [String: Any]] else { return [] }
        let verbs: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        return paths.map { path, item in
            (segments(path), item.keys.filter(verbs.contains).map { $0.uppercased() }.sorted())
        }
    }()

    /// The methods documented for `path` (empty when no documented route has that shape).
    static func methods(for path: String) -> [String] {
        let parts = segments(path)
        var methods = Set<String>()
        for route in table where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { template, part in
                (template.hasPrefix("{") && template.hasSuffix("}") && !part.isEmpty) || template == part
            }
            if matches { methods.formUnion(route.methods) }
        }
        return methods.sorted()
    }

    /// `/a/{b}` → `["a", "{b}"]`, `/` → `[""]`: templates and request paths split the same way, the root included.
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }
}
