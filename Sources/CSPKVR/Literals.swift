import CSPBasics
import CSPSQLite

/// Values written as SQL text: literals per dialect, COPY text fields and CSV fields.
extension Dialect {
    /// A value as an SQL literal of this dialect.
    func literal(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "NULL"
        case let .integer(number): return String(number)
        case let .real(number): return String(number)
        case let .text(text):
            switch self {
            case .sqlite, .postgres:
                return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            case .mysql:
                var out = "'"
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "'": out += "\\'"
                    case "\\": out += "\\\\"
                    case "\0": out += "\\0"
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    case "\u{1A}": out += "\\Z"
                    default: out.unicodeScalars.append(scalar)
                    }
                }
                return out + "'"
            }
        case let .blob(bytes):
            return self == .postgres ? "'\\x\(Hex.encode(bytes))'::bytea" : "X'\(Hex.encode(bytes))'"
        }
    }

    /// A value as a field of PostgreSQL's COPY text format.
    static func copyField(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "\\N"
        case let .integer(number): return String(number)
        case let .real(number): return String(number)
        case let .blob(bytes): return "\\\\x" + Hex.encode(bytes)
        case let .text(text):
            guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return text }
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }

    /// A value as a CSV field (RFC 4180) this dialect's loader reads back: NULL is an empty
    /// field (`\N` for MySQL's LOAD DATA), an empty string is `""`.
    func csvField(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return self == .mysql ? "\\N" : ""
        case let .integer(number): return String(number)
        case let .real(number): return String(number)
        case let .blob(bytes): return self == .postgres ? "\\x" + Hex.encode(bytes) : Hex.encode(bytes)
        case let .text(text):
            let special = text.isEmpty || text.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || (self == .mysql && text.utf8.contains(0x5C))
            guard special else { return text }
            var escaped = text.replacingOccurrences(of: "\"", with: "\"\"")
            if self == .mysql { escaped = escaped.replacingOccurrences(of: "\\", with: "\\\\") }
            return "\"" + escaped + "\""
        }
    }
}
