import ArgumentParser
import CSPCLI

/// `csp-tx`: signs and submits transactions, queries, streams events.
public struct CSPTx: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-tx",
        abstract: "Sign and submit transactions, query the ledger, and watch events.",
        discussion: """
            Uses the identity in --home (key.pem, cert.pem from 'csp-ca enroll') and the \
            node at --socket. Transactions are signed over their canonical bytes \
            (docs/FORMAT.md); reads are signed too, and the channel's policy decides who may \
            read what. The channel comes from --channel or $CSP_CHANNEL. With --node \
            HOST:PORT or $CSP_NODE=HOST:PORT every command talks to that node's TCP listener with \
            mutual TLS 1.3 instead, presenting the identity in --home and trusting the CA \
            certificates in $CSP_NODE_CA (default <home>/ca-chain.pem) for the node's \
            certificate (docs/NETWORK.md). Any node of the channel takes submissions: a \
            follower forwards them to the orderer and answers once it has committed them. \
            An answer from a node whose state forked is printed with a warning on stderr, \
            and the command exits 2.
            """,
        subcommands: [Submit.self, Call.self, Show.self, Todo.self, Contract.self, Accounts.self,
                      Query.self, History.self, Tx.self, Block.self, Blocks.self, Account.self, Watch.self, Endorse.self, Decode.self, Encode.self])

    public init() {}
}
