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
                afresh against the rebuilt state. Refused while a node has the channel open, \
                and for a channel kept by an access node, which has neither block files nor \
                an index.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel whose index to rebuild.")
        var channel: String

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
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
    }
}
