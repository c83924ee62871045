import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node check`: verify every block of a channel from its block files.
    struct Check: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Re-verify every block of a channel from its block files: signatures, admission, re-execution.",
            discussion: """
                Checks each block as a node that trusts nothing it did not compute: record \
                checksums, the hash chain and Merkle roots; block 0's configuration; the \
                orderer's signature on every header; every transaction's signature and its \
                admission under the configuration in force at its block, at the block's \
                timestamp; duplicate ids; and re-execution, whose validation codes and effects \
                must equal the recorded ones, chained by commit hash. Reads only the block \
                files, so it runs beside a serving node; a damaged last record (after a \
                moment for an append in progress) is reported like any damage: either a \
                crash tore an append that was never committed, which the node removes at its \
                next start, or committed data was damaged. Exit 0 when every block verifies, 1 \
                naming the first block that does not and why, 2 when the files cannot be read. \
                On a channel kept by an access node (block headers only, no block files) it \
                verifies what that node keeps, as the node does at every start: every header \
                (the orderer's signature, number, hash chain, time), block 0 as a genesis \
                block and every later configuration block in full against its header; exit 1 \
                names the first record that does not verify.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel to check (default: every channel in --home).")
        var channel: String?

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
            let names = channel.map { [$0] } ?? home.channelNames()
            guard !names.isEmpty else { throw CommandFailure("no channels in \(quoted(home.path))") }
            for name in names {
                let directory = home.channel(name)
                guard FileIO.isDirectory(directory) else { throw CommandFailure("no channel \(quoted(name)) in \(quoted(home.path))") }
                if AccessChannel.isAccess(home: home, channel: name) {
                    guard try checkAccess(name, home) else { return .no }
                    continue
                }
                do {
                    // A damaged last record is named, not taken for an append in progress: the
                    // reader gives a serving node's append a moment to complete first.
                    let report = try LedgerCheck.run(directory: directory, channel: name, completeTail: true)
                    global.output.emit(
                        json: ["channel": .string(name), "blocks": .int(Int64(report.blocks)),
                               "transactions": .int(Int64(report.transactions)), "valid": .int(Int64(report.valid)),
                               "last_block_hash": .string(report.lastBlockHash?.hex ?? ""), "commit_hash": .string(report.commitHash.hex)],
                        text: "\(name): \(report.blocks) blocks and \(report.transactions) transactions verified (\(report.valid) valid); commit \(report.commitHash.hex)")
                } catch let failure as LedgerCheck.Failure {
                    Diagnostics.error("channel \(quoted(name)): \(failure)")
                    return .no
                }
            }
            return .success
        }

        /// A channel kept by an access node: its headers and configuration blocks, verified
        /// again exactly as its node does at start. False (after naming it) when one does not verify.
        private func checkAccess(_ name: String, _ home: NodeHome) throws -> Bool {
            do {
                let report = try AccessChannel.check(home: home, channel: name)
                global.output.emit(
                    json: ["channel": .string(name), "role": .string("access"), "blocks": .int(Int64(report.headers)),
                           "config_blocks": .int(Int64(report.configBlocks)),
                           "last_block_hash": .string(report.lastBlockHash), "commit_hash": .string(report.commitHash)],
                    text: "\(name): \(report.headers) block headers and \(report.configBlocks) configuration blocks verified (an access node: headers only); commit \(report.commitHash)")
                return true
            } catch let damage as AccessDamage {
                Diagnostics.error("channel \(quoted(name)): \(damage)")
                return false
            }
        }
    }
}
