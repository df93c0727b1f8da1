/// What a tenant's tokens may do.
public enum Scope: String, Codable, Sendable, CaseIterable, Comparable {
    /// Translate one text per request.
    case translateBasic = "translate:basic"
    /// Translate arrays of texts.
    case translateBatch = "translate:batch"
    /// Read today's usage and limits.
    case usageRead = "usage:read"
    /// Translate through the drop-in DeepL, Google and LibreTranslate routes, authenticated by the API key itself
    /// (docs/compatibility.md). More than one text per call also needs `translate:batch`.
    case translateCompat = "translate:compat"
    /// Manage the token's own tenant: its keys, signing key, usage and audit (never other tenants, and never its
    /// own quotas, limits or scopes: those are an operator's; see ``OperatorIdentity``).
    case tenantAdmin = "tenant:admin"

    public static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }

    /// Parses `a,b` or `a b`; throws naming the unknown scope.
    public static func parseList(_ text: String) throws -> [Scope] {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        return try Array(Set(parts.map { p in
            guard let s = Scope(rawValue: p) else {
                throw StoreError.invalid("unknown scope '\(p)' (known: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return s
        })).sorted()
    }
}
