import CHiredis

/// A Redis reply, copied out of hiredis' reply object.
public enum RedisValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case array([RedisValue])
    case status(String)
    case null
    /// An error reply (`-ERR ...`); the connection itself is fine.
    case error(String)

    init(_ reply: UnsafeMutablePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING: self = .string(Self.text(r))
        case REDIS_REPLY_STATUS: self = .status(Self.text(r))
        case REDIS_REPLY_ERROR: self = .error(Self.text(r))
        case REDIS_REPLY_INTEGER: self = .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            self = .array((0..<Int(r.elements)).map { i in r.element[i].map(RedisValue.init) ?? .null })
        default: self = .null
        }
    }

    private static func text(_ r: redisReply) -> String {
        guard let p = r.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: Int(r.len)), as: UTF8.self)
    }

    /// The integer value of an integer reply (or of a numeric string).
    public var int: Int? {
        switch self {
        case .integer(let n): return n
        case .string(let s): return Int(s)
        default: return nil
        }
    }
}
