/// A failure of csp-kvr: one line in git's style and what kind of failure it is, so a
/// command can pick its exit code without parsing text.
public struct KVRError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The answer is no: unknown channel, a target from another ledger, a mismatch.
        case refused
        /// Could not answer: I/O, a damaged block file, a locked target, malformed input.
        case failure
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
