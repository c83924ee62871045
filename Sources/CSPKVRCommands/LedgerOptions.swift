import ArgumentParser
import CSPBasics
import CSPCLI
import CSPKVR
import CSPNodeProtocol
import CSPParticipant
import CSPWire

/// Where the blocks come from: a node's home (or one channel's directory), or a running
/// node through its socket (--socket, --node, reads signed by the identity in --home).
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The channel to export.", valueName: "name"))
    var channel: String

    @Option(name: .long, help: ArgumentHelp(
        "The node's home (holding channels/<name>/) or a channel's directory; read while the node runs.",
        valueName: "dir"), completion: .directory)
    var ledger: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the blocks from a running node through its Unix socket instead (reads signed by the identity in --home).",
        valueName: "path"), completion: .file())
    var socket: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the blocks from the node listening on HOST:PORT instead, over TCP with mutual TLS (trusting $CSP_NODE_CA, else <home>/ca-chain.pem).",
        valueName: "host:port"))
    var node: String?

    @Option(name: .long, help: ArgumentHelp(
        "With --socket or --node: the identity that signs the reads (default: $CSP_HOME, else ~/.csp).", valueName: "dir"),
        completion: .directory)
    var home: String?

    func validate() throws {
        let given = [ledger, socket, node].compactMap { $0 }.count
        if given != 1 { throw ValidationError("give one source of blocks: --ledger DIR, --socket PATH or --node HOST:PORT") }
        if let node, NetworkAddress.parse(node) == nil { throw ValidationError("--node \(quoted(node)) is not HOST:PORT") }
        if home != nil, ledger != nil { throw ValidationError("--home goes with --socket or --node (the block files need no identity)") }
    }

    /// `following`: a node that goes away is waited for (follow), not an error (export).
    func source(following: Bool = false) throws -> LedgerSource {
        if let ledger { return try LedgerSource(ledger: ledger, channel: channel) }
        let home = GlobalOptions.resolveHome(self.home)
        let participant = try Participant(home: home)
        let socket = self.socket ?? ""
        let node = self.node
        let blocks = NodeBlocks(channel: channel, label: node ?? socket, resilient: following) { timeout in
            try participant.client(socket: socket, timeout: timeout, node: node)
        }
        return try LedgerSource(provider: blocks, channel: channel)
    }
}

extension KVRError {
    /// The failure as the command reports it: refusals exit 1, everything else 2.
    var commandFailure: CommandFailure {
        CommandFailure(message, status: kind == .refused ? .no : .failure)
    }
}

/// Runs a command body, turning KV-R errors into their exit codes.
func reporting<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as KVRError {
        throw error.commandFailure
    }
}

extension Dialect: ExpressibleByArgument {}
