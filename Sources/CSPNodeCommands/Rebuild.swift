import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node rebuild`: a channel's index re-derived from its block files.
    struct Rebuild: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Rebuild a channel's index and state from its block files (the node must be stopped).",
            discussion: """
                The block files are the truth; the LevelDB index (state, history, lookups) is \
                derived from them. When the node reports a damaged index, stop it and run \
                this: the old index is moved to <home>/channels/<channel>/index.broken-<UTC time> \
                and kept, every block is verified and applied again, and on failure the old \
                index is put back. A recorded state fork (docs/NETWORK.md, "State forks") is \
                cleared after a successful rebuild, its record kept as \
                fork.cleared-<UTC time>.json: the next start verifies the block that forked \
                afresh against the rebuilt state. Refused while a node has the channel open. \
                A channel kept by an access node has no index: its block headers and \
                configuration blocks are verified again, and when one does not verify both \
                files are kept aside (headers.broken-<UTC time>, config-blocks.broken-<UTC \
                time>) and cut before that block, which the next start fetches again from \
                its sources and verifies; damage in block 0 is refused (exit 2: join again).
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel whose index to rebuild.")
        var channel: String

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
            if FileIO.isDirectory(home.channel(channel)), AccessChannel.isAccess(home: home, channel: channel) { return try rebuildAccess(home) }
            let rebuilt = try NodeRunner.rebuildChannel(home: home, channel: channel)
            var json: [String: JSONValue] = ["channel": .string(channel), "blocks": .int(Int64(rebuilt.blocks))]
            var text = "rebuilt the index of channel \(quoted(channel)) from \(rebuilt.blocks) blocks"
            if let old = rebuilt.oldIndex {
                json["old_index"] = .string(old)
                text += "; the old index is kept in \(quoted(old)) (remove it when no longer needed)"
            }
            // The rebuilt state is what the fork is judged on next: the old verdict no longer holds.
            if let cleared = try NodeRunner.clearFork(home: home, channel: channel) {
                json["cleared_fork"] = .string(cleared.fork)
                text += "\ncleared \(cleared.fork); the record is kept in \(quoted(cleared.kept))"
            }
            global.output.emit(json: json, text: text)
            return .success
        }

        /// An access node keeps no index to derive again: its headers and configuration
        /// blocks are verified again and cut before the first that does not verify, which
        /// the next start fetches from its sources (docs/NETWORK.md).
        private func rebuildAccess(_ home: NodeHome) throws -> ExitStatus {
            let rebuilt = try AccessChannel.rebuild(home: home, channel: channel)
            var json: [String: JSONValue] = ["channel": .string(channel), "role": .string("access"), "blocks": .int(Int64(rebuilt.headers)),
                                             "config_blocks": .int(Int64(rebuilt.configBlocks))]
            let text: String
            if let damage = rebuilt.damage {
                json["damage"] = .string(damage)
                json["kept"] = .array(rebuilt.keptFiles.map { .string($0) })
                text = "channel \(quoted(channel)) is kept as an access node: \(damage); cut its headers to blocks 0 to \(rebuilt.headers - 1) "
                    + "(\(rebuilt.configBlocks) configuration blocks); the next start fetches block \(rebuilt.headers) on from its sources and verifies it\n"
                    + "the files as they were are kept in \(rebuilt.keptFiles.map { quoted($0) }.joined(separator: " and ")) (remove them when no longer needed)"
            } else {
                text = "channel \(quoted(channel)) is kept as an access node: its \(rebuilt.headers) block headers and \(rebuilt.configBlocks) configuration blocks verify; nothing to rebuild"
            }
            global.output.emit(json: json, text: text)
            return .success
        }
    }
}
