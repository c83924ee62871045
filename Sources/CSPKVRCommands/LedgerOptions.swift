import ArgumentParser
import CSPCLI
import CSPKVR

/// Where the blocks come from: a node's home (or one channel's directory) and the channel.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The channel to export.", valueName: "name"))
    var channel: String

    @Option(name: .long, help: ArgumentHelp(
        "The node's home (holding channels/<name>/) or a channel's directory; read while the node runs.",
        valueName: "dir"), completion: .directory)
    var ledger: String

    func source() throws -> LedgerSource {
        try LedgerSource(ledger: ledger, channel: channel)
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
