import CSPCLI
import Foundation

/// How workflow values read for people: times, deadlines, operators (docs/CONTRACTS.md).
enum WorkflowText {
    /// Milliseconds since the epoch as "2026-11-30 10:15", in UTC: the ledger's clock is
    /// the block header's, the same for every reader wherever they are.
    static func time(_ milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(days: days)
        return String(format: "%04lld-%02lld-%02lld %02lld:%02lld", year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60)
    }

    /// The date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// "due 2026-12-01 10:15", with " (overdue)" once `now` is past it; "no deadline".
    static func deadline(_ milliseconds: Int64?, now: Int64) -> String {
        guard let milliseconds else { return "no deadline" }
        return "due \(time(milliseconds))" + (milliseconds < now ? " (overdue)" : "")
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A stored operator: `{"account":A}` → "Acme/bob"; `{"role":R,"organization":O}` →
    /// "role R of O"; `{"role":R}` → "role R"; anything else as its JSON.
    static func selector(_ value: JSONValue) -> String {
        if let account = value["account"]?.string { return account }
        if let party = value["party"]?.string { return "party \(party)" }
        if let field = value["field"]?.string { return "field \(field)" }
        if let role = value["role"]?.string {
            return "role \(role)" + (value["organization"]?.string.map { " of \($0)" } ?? "")
        }
        return value.serialized
    }

    static func operators(_ value: JSONValue?) -> String {
        let list = value?.array ?? []
        return list.isEmpty ? "nobody" : list.map(selector).joined(separator: ", ")
    }
}
