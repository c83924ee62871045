import ArgumentParser
import CSPCLI

/// `csp-tx`: signs and submits transactions, queries, streams events.
public struct CSPTx: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-tx",
        abstract: "Build, sign and inspect csp transactions.",
        discussion: """
            Transactions are signed over their canonical bytes (docs/FORMAT.md) with the \
            identity in --home; 'encode' shows those bytes and the transaction id.
            """,
        subcommands: [Encode.self])

    public init() {}
}
