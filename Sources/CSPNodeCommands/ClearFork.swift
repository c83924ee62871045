import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node clear-fork`: the operator's word that a channel's recorded state fork is repaired.
    struct ClearFork: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "clear-fork",
            abstract: "Clear a stopped channel's recorded state fork, once its cause is repaired.",
            discussion: """
                A follower that finds a state fork (docs/NETWORK.md, "State forks") records it \
                in <home>/channels/<channel>/fork.json and stays forked across restarts: \
                status exits 1, submissions are refused and reads are marked suspect. Once \
                the cause is repaired (an altered index rebuilt with 'csp-node rebuild', \
                which clears the record itself; a contract build replaced), this moves the \
                record aside to fork.cleared-<UTC time>.json, kept as evidence, and the next \
                start follows again, verifying the block that forked afresh: if the cause \
                remains, the fork is found and recorded again. Refused while a node has the \
                channel open. Exit codes: 0 cleared; 1 the channel has no recorded fork; 2 \
                could not clear (no such channel, the node is running, files); 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel whose fork record to clear.")
        var channel: String

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
            guard let cleared = try NodeRunner.clearFork(home: home, channel: channel) else {
                throw CommandFailure("channel \(quoted(channel)) has no recorded state fork", status: .no)
            }
            global.output.emit(json: ["channel": .string(channel), "cleared": .string(cleared.fork), "kept": .string(cleared.kept)],
                               text: "cleared \(cleared.fork) on channel \(quoted(channel)); the record is kept in \(quoted(cleared.kept))")
            return .success
        }
    }
}
