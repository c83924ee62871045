import ArgumentParser
import CSPChannel
import CSPCLI
import CSPFormat

/// How long a command that submits waits for the node's answer; on expiry the outcome is
/// unknown and the command exits 75.
struct CommitTimeoutOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.", valueName: "duration"))
    var timeout = WaitTimeout(argument: "5m")!

    var limit: Double? { timeout.limit }
}

/// `--once KEY`: the transaction takes effect at most once for this identity and key on
/// the channel (docs/CHANNELS.md, "Submitting once").
struct OnceOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("An idempotency key recorded on chain: a retry with the same key by the same identity takes no second effect and is answered with the first transaction's id and block (1-128 of A-Z a-z 0-9 . _ : @ + -).", valueName: "key"))
    var once: String?

    func validate() throws {
        if let once, let problem = OnceKeys.problem(once) { throw ValidationError(problem) }
    }

    /// The reserved argument, when a key is given.
    var argument: TransactionArgument? { once.map { TransactionArgument(name: TransactionBody.onceArgument, text: $0) } }
}
