import CSPBasics
import CSPKeyValue

/// Every failure of the ledger store, as one git-style line (lower case, no full stop,
/// paths quoted) that a tool can print after `error: ` unchanged, e.g.
/// `block 17 in '/x/blocks/blocks-000000.dat' at offset 5120 is corrupt: checksum mismatch`.
///
/// `kind` lets the node tell a refused commit (its own bug or a forged block: stop and
/// say so) from damaged storage (stop, an operator must look) from a busy or missing
/// directory (retry or fix the path), without parsing the message.
public struct LedgerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, coarsely, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// `commit` refused a record (wrong number, hash, channel, unreadable encoding); nothing was written.
        case refused
        /// Block files or the index are damaged or were altered on disk.
        case corrupt
        /// The directory holds another channel's ledger.
        case wrongChannel
        /// The operating system or LevelDB failed: missing or unwritable directory, in use, I/O error, closed.
        case unavailable
        /// A caller's argument no call could succeed with (bad page token, limit below 1, unknown location).
        case invalidArgument
    }

    public let kind: Kind
    public let message: String
    /// What is wrong when the damage is in the LevelDB index alone (the block files are
    /// sound), so rebuilding the index from the block files repairs it: the message
    /// without its advice, for the node to add the command that does it. nil otherwise.
    public let indexDamage: String?

    /// Whether rebuilding the index from the block files repairs this.
    public var indexDamaged: Bool { indexDamage != nil }

    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
        self.indexDamage = nil
    }

    private init(indexDamage: String) {
        kind = .corrupt
        message = indexDamage + " (the ledger index is damaged: rebuild it from the block files)"
        self.indexDamage = indexDamage
    }

    /// The index is damaged: never served, only rebuilt.
    static func damagedIndex(_ problem: String) -> LedgerError {
        LedgerError(indexDamage: problem)
    }

    /// The message every check of a stored block uses, so the operator always learns
    /// which block, which file and where to look.
    static func corruptBlock(_ number: UInt64, file: String, offset: UInt64, _ reason: String) -> LedgerError {
        LedgerError(.corrupt, "block \(number) in \(quoted(file)) at offset \(offset) is corrupt: \(reason)")
    }

    /// A system call failed; the SystemError text already names the action and the errno.
    static func system(_ error: SystemError) -> LedgerError {
        LedgerError(.unavailable, error.description)
    }

    /// LevelDB failed. Corruption it reports is ours to call corrupt; the rest is I/O.
    static func index(_ error: LevelDBError) -> LedgerError {
        switch error {
        case .invalidOption, .invalidArgument: LedgerError(.invalidArgument, error.description)
        default: error.isCorruption ? .damagedIndex(error.description) : LedgerError(.unavailable, error.description)
        }
    }

    /// Runs a LevelDB call, translating its errors so callers only ever see LedgerError.
    static func translatingIndexErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LevelDBError {
            throw LedgerError.index(error)
        }
    }
}
