import ArgumentParser

/// The exit codes every csp tool shares (DESIGN.md, "Conventions for every tool").
public enum ExitStatus: Int32, Sendable {
    /// Yes, or done.
    case success = 0
    /// The answer is no: a mismatch, not found, a transaction invalid or refused.
    case no = 1
    /// Could not answer: unreachable node, I/O error, malformed input.
    case failure = 2
    /// The command line itself is wrong (EX_USAGE).
    case usage = 64
    /// A transaction was sent but no answer came in time (EX_TEMPFAIL): it may or may not
    /// commit. Retrying is safe with the same `--once` key; without one, look the txid up
    /// first. Only commands that submit and wait return it.
    case outcomeUnknown = 75

    public var exitCode: ExitCode { ExitCode(rawValue) }
}

/// An error that ends a command with one line on stderr and a chosen exit status.
public struct CommandFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let status: ExitStatus

    public init(_ message: String, status: ExitStatus = .failure) {
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
