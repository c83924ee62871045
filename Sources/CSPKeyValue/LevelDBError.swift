/// Every failure of the key-value layer. Messages follow git's style (lower case,
/// no full stop, subject quoted) so the tools can print them unchanged, and carry
/// LevelDB's own status text verbatim because that is what an operator can search for.
///
/// `label` is the caller's name for the database (`Options.label`), so a message
/// speaks of "ledger index" rather than of LevelDB.
public enum LevelDBError: Error, CustomStringConvertible, Equatable, Sendable {
    /// LevelDB refused to open the directory (missing, locked, corrupt, unwritable).
    case cannotOpen(label: String, path: String, status: String)
    /// The handle was closed; reported instead of touching freed C memory.
    case closed(label: String, path: String)
    /// A point read failed, typically on a corrupt or unreadable table file.
    case cannotRead(label: String, path: String, status: String)
    /// A put, delete or batch was not applied.
    case cannotWrite(label: String, path: String, status: String)
    /// An iterator stopped on a storage error rather than at the end of its range.
    case cannotIterate(label: String, path: String, status: String)
    /// `LevelDB.destroy(path:)` failed, for instance because the database is open.
    case cannotDestroy(label: String, path: String, status: String)
    /// `LevelDB.repair(path:)` failed.
    case cannotRepair(label: String, path: String, status: String)
    /// An `Options` value LevelDB cannot honour; rejected before any C call.
    case invalidOption(name: String, value: String, reason: String)
    /// A snapshot taken on one database was used to read another.
    case foreignSnapshot(label: String, path: String)
    /// An argument no call could succeed with, such as an empty path or negative limit.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .cannotOpen(label, path, status):
            "cannot open \(label) \(quote(path)): \(status)"
        case let .closed(label, path):
            "\(label) \(quote(path)) is closed"
        case let .cannotRead(label, path, status):
            "cannot read \(label) \(quote(path)): \(status)"
        case let .cannotWrite(label, path, status):
            "cannot write \(label) \(quote(path)): \(status)"
        case let .cannotIterate(label, path, status):
            "cannot iterate \(label) \(quote(path)): \(status)"
        case let .cannotDestroy(label, path, status):
            "cannot destroy \(label) \(quote(path)): \(status)"
        case let .cannotRepair(label, path, status):
            "cannot repair \(label) \(quote(path)): \(status)"
        case let .invalidOption(name, value, reason):
            "invalid value \(value) for option \(quote(name)): \(reason)"
        case let .foreignSnapshot(label, path):
            "snapshot does not belong to \(label) \(quote(path))"
        case let .invalidArgument(message):
            message
        }
    }

    /// LevelDB's status text, when the failure came from LevelDB; lets callers tell
    /// corruption ("Corruption: ...") from I/O trouble ("IO error: ...").
    public var status: String? {
        switch self {
        case let .cannotOpen(_, _, status), let .cannotRead(_, _, status),
             let .cannotWrite(_, _, status), let .cannotIterate(_, _, status),
             let .cannotDestroy(_, _, status), let .cannotRepair(_, _, status):
            status
        case .closed, .invalidOption, .foreignSnapshot, .invalidArgument:
            nil
        }
    }

    /// True when LevelDB diagnosed on-disk corruption, the case where `repair` may help.
    public var isCorruption: Bool {
        status?.hasPrefix("Corruption:") ?? false
    }
}

private func quote(_ subject: String) -> String { "'\(subject)'" }
