import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node init`: a channel from its genesis configuration.
    struct Init: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Create a channel from a genesis configuration (JSON or YAML); writes block 0.",
            discussion: """
                The configuration names the member organisations with their CA \
                certificates and CRLs, the orderer (this node's certificate), the channel \
                admins, block cutting and the access policy (docs/CHANNELS.md). Block 0 is \
                signed by this node's key in --home. A channel that already exists is \
                refused (exit 1), as csp-ca init refuses an existing CA. 'csp-node genesis' \
                writes the configuration from CA homes and certificate files. A home without \
                <home>/node.conf gets a commented example of the node's settings (docs/NETWORK.md).
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel's name; must match the configuration.")
        var channel: String

        @Option(name: .long, help: ArgumentHelp("The genesis configuration.", valueName: "file"), completion: .file())
        var config: String

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
            // Refused like csp-ca init over an existing CA: the answer is no (exit 1).
            if FileIO.exists(home.channel(channel)) {
                throw CommandFailure("channel \(quoted(channel)) already exists in \(quoted(home.path))", status: .no)
            }
            let record = try NodeRunner.createChannel(home: home, channel: channel, configPath: config)
            global.output.emit(json: ["channel": .string(channel), "block": 0, "hash": .string(record.block.header.hash.hex),
                                      "commit_hash": .string(record.block.header.commitHash.hex)],
                               text: "created channel '\(channel)': block 0 \(record.block.header.hash.hex)")
            return .success
        }
    }
}
