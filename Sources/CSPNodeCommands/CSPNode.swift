import ArgumentParser
import CSPCLI

/// `csp-node`: the ledger node, the only daemon of csp.
public struct CSPNode: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-node",
        abstract: "Run a csp ledger node: channels, ordering, validation, state and events.",
        discussion: """
            A node keeps one or more channels (a consortium chain and private chains) in \
            append-only block files with LevelDB indexes, orders transactions into blocks \
            (solo), executes them in block order and serves clients on a Unix socket. Its \
            identity (key.pem, cert.pem with role node) lives in --home.
            """,
        subcommands: [Genesis.self, Init.self, Join.self, Start.self, Status.self, Channels.self, Config.self, Check.self, Rebuild.self, ClearFork.self])

    public init() {}
}
