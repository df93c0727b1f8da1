import Foundation

/// One field of an admin write as the audit line records it: its JSON value before and after (nil: absent, e.g.
/// before a create).
public struct FieldChange: Codable, Sendable, Equatable {
    public var before: String?
    public var after: String?
    public init(before: String?, after: String?) {
        self.before = before
        self.after = after
    }

    /// The fields whose JSON values differ between two records (either may be nil: a create or a delete).
    /// `ignoring` names bookkeeping fields (timestamps) left out. Pass views that hold no secrets.
    public static func diff<T: Encodable>(_ before: T?, _ after: T?, ignoring: Set<String> = ["updated_at", "created_at"]) -> [String: FieldChange] {
        let b = fields(before), a = fields(after)
        var out: [String: FieldChange] = [:]
        for key in Set(b.keys).union(a.keys) where !ignoring.contains(key) && b[key] != a[key] {
            out[key] = FieldChange(before: b[key], after: a[key])
        }
        return out
    }

    /// Top-level fields of a record as canonical JSON text (sorted keys).
    static func fields<T: Encodable>(_ value: T?) -> [String: String] {
        guard let value else { return [:] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var out: [String: String] = [:]
        for (key, v) in object {
            let text = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "null"
            out[key] = text
        }
        return out
    }
}
