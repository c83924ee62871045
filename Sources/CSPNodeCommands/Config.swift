import ArgumentParser
import CSPBasics
import CSPChannel
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node config`: a channel's configuration.
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Show a channel's configuration in force.",
            subcommands: [Show.self])
    }
}

extension CSPNode.Config {
    /// `csp-node config show`: the configuration the block files put in force.
    struct Show: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print the configuration in force on a channel, decoded, as commented YAML.",
            discussion: """
                Follows the channel's block files from block 0 through every valid \
                configuration transaction (config.set-crl, add-org, set-policy…), so it runs \
                beside a serving node and needs no socket. Each certificate and CRL is \
                described in a comment (subject, issuer, validity, revocations); the YAML is \
                a valid genesis file. --format json prints the configuration as stored \
                (canonical JSON) with the block and transaction that set it. On a channel kept \
                by an access node (headers only) it reads the configuration blocks that node \
                keeps, each verified against its header and the configuration before it.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel (default: the only channel in --home).")
        var channel: String?

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
            let name = try resolvedChannel(home)
            let access = AccessChannel.isAccess(home: home, channel: name)
            let found = try access ? AccessChannel.configInForce(home: home, channel: name)
                : ConfigInForce.read(directory: home.channel(name), channel: name)
            let stored = String(decoding: found.config.canonicalJSON(), as: UTF8.self)
            let setBy = found.block == 0 ? "block 0 (genesis)" : "block \(found.block) (config.\(found.function))"
            global.output.emit(
                json: ["channel": .string(name), "block": .int(Int64(found.block)), "txid": .string(found.txid.hex),
                       "function": .string(found.function), "height": .int(Int64(found.height)),
                       "config": JSONValue.parse(stored) ?? .string(stored)],
                text: found.config.commentedYAML(heading: [
                    "Configuration of channel \(quoted(name)) in force since \(setBy), transaction \(found.txid.hex);",
                    access ? "read from the configuration blocks of access node \(home.channel(name)) at height \(found.height) (verified)."
                        : "read from \(home.channel(name)) at height \(found.height).",
                ]).trimmingTrailingNewline)
            return .success
        }

        private func resolvedChannel(_ home: NodeHome) throws -> String {
            // A missing home is "could not answer" (2), as in 'channels'; a missing channel is "no" (1).
            guard FileIO.isDirectory(home.path) else { throw CommandFailure("no node home \(quoted(home.path)): no such directory") }
            let names = home.channelNames()
            if let channel {
                guard names.contains(channel) else {
                    throw CommandFailure("no channel \(quoted(channel)) in \(quoted(home.path))" + (names.isEmpty ? "" : " (channels: \(names.joined(separator: ", ")))"), status: .no)
                }
                return channel
            }
            guard names.count == 1 else {
                throw CommandFailure(names.isEmpty ? "no channels in \(quoted(home.path))" : "give --channel: \(quoted(home.path)) hosts \(names.joined(separator: ", "))", status: names.isEmpty ? .no : .usage)
            }
            return names[0]
        }
    }
}

extension String {
    /// Output.emit adds the line end.
    var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
