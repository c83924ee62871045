import ArgumentParser
import CSPCLI
import CSPNodeRuntime
import CSPBasics

extension CSPNode {
    /// `csp-node join`: follow a channel another node orders.
    struct Join: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Join a channel as a follower of its orderer: create its ledger from block 0.",
            discussion: """
                --genesis is either the channel's block 0 as a block record file, or the \
                channel's configuration (JSON or YAML), in which case block 0 is fetched from \
                the orderer over TCP with mutual TLS and must carry exactly that \
                configuration. Block 0 is verified (the orderer's signature, the \
                configuration it establishes) before anything is written. The channel \
                remembers its orderer in <home>/channels/<channel>/follow.conf. When \
                'csp-node start' runs, the channel fetches blocks from the orderer and from \
                every --peer (other nodes of the channel; 'peer = HOST:PORT' lines in \
                follow.conf), several ranges at once, then takes each new block the \
                orderer pushes; it verifies every one in full (orderer signature, hash chain, Merkle root, each \
                transaction's signatures and admission at the block's timestamp, \
                re-execution and commit hash) before committing it, avoids for a while a node \
                that served a block failing verification, and keeps following; it serves \
                reads, and forwards its clients' submissions to the orderer, answering once it \
                has committed them itself; a block its own execution gives another commit hash \
                than the orderer's is a state fork: named in the log and in 'csp-node status', \
                the channel then takes no submissions and its reads are marked suspect \
                (docs/NETWORK.md). With --access the node keeps the channel as an access \
                node: block headers only (no blocks, no state), each block verified as far \
                as that is possible without state (the orderer's signature, hash chain, \
                Merkle root, each transaction's signatures and admission under the \
                configuration in force at the block, and that the recorded codes and writes \
                give the signed commit hash); it relays its clients' submissions to the \
                orderer and the reads the channel's policy grants them to its peers or the \
                orderer, checks every transaction it returns with its Merkle inclusion proof \
                against its headers, refuses an answer that does not verify (status 2), and \
                marks state reads it cannot prove as unproven. The certificate in \
                --home must have role node and belong to a member organisation. Exit codes: \
                0 joined; 2 could not join (the channel exists, block 0 does not verify or \
                carries another configuration, the orderer is unreachable or refuses, \
                files), as 'csp-node init'; 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel's name.")
        var channel: String

        @Option(name: .long, help: ArgumentHelp("Block 0 as a block record file, or the channel configuration.", valueName: "file"),
                completion: .file())
        var genesis: String

        @Option(name: .long, help: ArgumentHelp("The channel's orderer: its TCP listener.", valueName: "host:port"))
        var orderer: String

        @Option(name: .long, help: ArgumentHelp("Another node of the channel to fetch blocks from too (repeatable).", valueName: "host:port"))
        var peer: [String] = []

        @Flag(name: .long, help: "Keep the channel as an access node: verified block headers only; relay submissions and reads.")
        var access = false

        func execute() throws -> ExitStatus {
            guard (try? NodeSettings.address(orderer)) != nil else {
                throw CommandFailure("--orderer \(quoted(orderer)) is not HOST:PORT", status: .usage)
            }
            for address in peer where (try? NodeSettings.address(address)) == nil {
                throw CommandFailure("--peer \(quoted(address)) is not HOST:PORT", status: .usage)
            }
            let home = NodeHome(global.resolvedHome)
            let record = try NodeRunner.joinChannel(home: home, channel: channel, genesis: genesis, orderer: orderer, peers: peer, access: access)
            global.output.emit(json: ["channel": .string(channel), "block": 0, "hash": .string(record.block.header.hash.hex),
                                      "orderer": .string(orderer), "peers": .array(peer.map { .string($0) }),
                                      "role": .string(access ? "access" : "peer")],
                               text: "joined channel '\(channel)' \(access ? "as an access node " : "")following \(orderer): block 0 \(record.block.header.hash.hex)")
            return .success
        }
    }
}
