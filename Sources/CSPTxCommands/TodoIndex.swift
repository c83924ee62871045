import Foundation

/// The todo index (docs/CONTRACTS.md, "Instances"): empty values under
/// `todo/a/<ACCOUNT>/<DEADLINE>/<ID>` and `todo/r/<ROLE>/<ORG or *>/<DEADLINE>/<ID>`, the
/// deadline as 16 hex digits of milliseconds (`ffffffffffffffff`: none), so each prefix
/// lists one's work oldest deadline first.
enum TodoIndex {
    struct Entry: Equatable {
        /// Milliseconds; nil for no deadline.
        let deadline: Int64?
        let id: String
    }

    static let noDeadline = "ffffffffffffffff"

    /// Where an identity's work is listed: its account, its role in its organisation,
    /// and its role in any organisation.
    static func prefixes(for identity: LedgerIdentity) -> [String] {
        ["todo/a/\(identity.account)/", "todo/r/\(identity.role)/\(identity.organization)/", "todo/r/\(identity.role)/*/"]
    }

    /// The entry a key under `prefix` names; nil for a key that is not one.
    static func entry(key: String, prefix: String) -> Entry? {
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let hex = rest[..<slash]
        let id = String(rest[rest.index(after: slash)...])
        guard hex.utf8.count == 16, !id.isEmpty, !id.contains("/") else { return nil }
        if hex == noDeadline { return Entry(deadline: nil, id: id) }
        guard hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let value = UInt64(hex, radix: 16), value <= UInt64(Int64.max) else { return nil }
        return Entry(deadline: Int64(value), id: id)
    }

    /// The lists merged: oldest deadline first, no deadline last, ties by id, each id
    /// once (an instance can wait on my account and my role at the same time), at most
    /// `limit` (nil: all). Taking the first `limit` of each sorted list is enough: an
    /// entry among the first `limit` overall is among the first `limit` of its list.
    static func merge(_ lists: [[Entry]], limit: Int?) -> [Entry] {
        var seen = Set<String>()
        let all = lists.joined().sorted { a, b in
            switch (a.deadline, b.deadline) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.id < b.id
            }
        }.filter { seen.insert($0.id).inserted }
        return limit.map { Array(all.prefix($0)) } ?? all
    }
}
