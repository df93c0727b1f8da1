import Foundation
import Logging
import PostgresNIO

/// A record stored in PostgreSQL as one row whose columns are its coding keys.
///
/// Rows travel as JSON both ways (`row_to_json` out, `json_populate_record` in), so the Codable records and their
/// column names stay the one definition shared with SQLite; dates are ISO 8601 in UTC with microseconds (what
/// `timestamptz` keeps) and bytes are PostgreSQL's `\x` hex (what `bytea` reads and prints).
protocol PostgresStoredRecord: Codable, Sendable {
    static var databaseTableName: String { get }
    /// Every column, as named by the coding keys.
    static var columnNames: [String] { get }
    static var primaryKeyColumn: String { get }
    var primaryKeyValue: String { get }
}

extension Tenant: PostgresStoredRecord {
    static var columnNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    static var primaryKeyColumn: String { "id" }
    var primaryKeyValue: String { id }
}
extension APIKey: PostgresStoredRecord {
    static var columnNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    static var primaryKeyColumn: String { "id" }
    var primaryKeyValue: String { id }
}
extension SigningKey: PostgresStoredRecord {
    static var columnNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    static var primaryKeyColumn: String { "kid" }
    var primaryKeyValue: String { kid }
}
extension Operator: PostgresStoredRecord {
    static var columnNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    static var primaryKeyColumn: String { "id" }
    var primaryKeyValue: String { id }
}
extension OperatorSigningKey: PostgresStoredRecord {
    static var columnNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    static var primaryKeyColumn: String { "kid" }
    var primaryKeyValue: String { kid }
}

/// JSON as PostgreSQL writes and reads it for these records.
enum PostgresJSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(TimestampText.format(date))
        }
        e.dataEncodingStrategy = .custom { data, enc in
            var c = enc.singleValueContainer()
            try c.encode("\\x" + data.map { String(format: "%02x", $0) }.joined())
        }
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { dec in
            let text = try dec.singleValueContainer().decode(String.self)
            guard let date = TimestampText.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: dec.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        d.dataDecodingStrategy = .custom { dec in
            let text = try dec.singleValueContainer().decode(String.self)
            guard let data = hexBytes(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: dec.codingPath, debugDescription: "not bytea hex"))
            }
            return data
        }
        return d
    }()

    /// `\x0a1b…` → bytes.
    static func hexBytes(_ text: String) -> Data? {
        let u = Array(text.utf8)
        guard u.count >= 2, u[0] == UInt8(ascii: "\\"), u[1] == UInt8(ascii: "x"), u.count % 2 == 0 else { return nil }
        var out = Data(capacity: (u.count - 2) / 2)
        var i = 2
        while i < u.count {
            guard let hi = hexValue(u[i]), let lo = hexValue(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`, the ISO 8601 that PostgreSQL's JSON gives for `timestamptz`, in
/// integer arithmetic (no formatter state, exact to the microsecond).
enum TimestampText {
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ", y, m, d, rest / 3600, rest / 60 % 60, rest % 60, fraction)
    }

    static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= u.count else { return nil }
            var v: Int64 = 0
            for c in u[from..<(from + count)] {
                guard (0x30...0x39).contains(c) else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        guard u.count >= 19, let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2),
              let mi = number(14, 2), let s = number(17, 2), (1...12).contains(mo), (1...31).contains(d),
              u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"),
              u[16] == UInt8(ascii: ":") else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < u.count, (0x30...0x39).contains(u[i]) {
                if digits < 6 { micros = micros * 10 + Int64(u[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offset: Int64 = 0
        if i < u.count, u[i] == UInt8(ascii: "Z") {
            i += 1
        } else if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            let sign: Int64 = u[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = number(i + 1, 2) else { return nil }
            var om: Int64 = 0
            i += 3
            if i < u.count, u[i] == UInt8(ascii: ":") {
                guard let v = number(i + 1, 2) else { return nil }
                om = v
                i += 3
            }
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == u.count else { return nil }
        let seconds = days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}

/// Row helpers over one connection (inside a transaction or not).
extension PostgresConnection {
    /// The records a query returns; the query selects one column, `row_to_json(t)::text`.
    func records<R: PostgresStoredRecord>(_ type: R.Type, _ query: PostgresQuery, logger: Logger) async throws -> [R] {
        var out: [R] = []
        for try await json in try await self.query(query, logger: logger).decode(String.self) {
            out.append(try PostgresJSON.decoder.decode(R.self, from: Data(json.utf8)))
        }
        return out
    }

    func record<R: PostgresStoredRecord>(_ type: R.Type, _ query: PostgresQuery, logger: Logger) async throws -> R? {
        try await records(type, query, logger: logger).first
    }

    /// The record whose primary key is `key`.
    func record<R: PostgresStoredRecord>(_ type: R.Type, key: String, forUpdate: Bool = false, logger: Logger) async throws -> R? {
        try await record(type, "SELECT row_to_json(t)::text FROM \(unescaped: R.databaseTableName) t WHERE \(unescaped: R.primaryKeyColumn) = \(key)\(unescaped: forUpdate ? " FOR UPDATE" : "")",
                         logger: logger)
    }

    func insert<R: PostgresStoredRecord>(_ record: R, logger: Logger) async throws {
        let json = String(decoding: try PostgresJSON.encoder.encode(record), as: UTF8.self)
        let table = R.databaseTableName
        try await query("INSERT INTO \(unescaped: table) SELECT * FROM json_populate_record(NULL::\(unescaped: table), \(json)::json)",
                        logger: logger)
    }

    /// Writes every column of `record` over the row with its primary key.
    func update<R: PostgresStoredRecord>(_ record: R, logger: Logger) async throws {
        let json = String(decoding: try PostgresJSON.encoder.encode(record), as: UTF8.self)
        let table = R.databaseTableName, columns = R.columnNames.joined(separator: ", ")
        try await query("""
            UPDATE \(unescaped: table) SET (\(unescaped: columns)) = (SELECT \(unescaped: columns) FROM json_populate_record(NULL::\(unescaped: table), \(json)::json)) \
            WHERE \(unescaped: R.primaryKeyColumn) = \(record.primaryKeyValue)
            """, logger: logger)
    }

    /// The first column of the first row, decoded as `T`.
    func scalar<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, logger: Logger) async throws -> T? {
        var first: T?
        for try await value in try await self.query(query, logger: logger).decode(T.self) where first == nil { first = value }
        return first   // every row read: the connection is ready for the next query
    }
}
