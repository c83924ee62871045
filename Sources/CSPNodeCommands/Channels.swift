import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node channels`: what this home hosts.
    struct Channels: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "List the channels in --home (works whether or not the node runs).")

        @OptionGroup(title: "Global Options") var global: LocalOptions

        func execute() throws -> ExitStatus {
            let home = NodeHome(global.resolvedHome)
            guard FileIO.isDirectory(home.path) else { throw CommandFailure("no node home \(quoted(home.path)): no such directory") }
            for name in home.channelNames() {
                global.output.emit(json: ["channel": .string(name), "directory": .string(home.channel(name))], text: name)
            }
            return .success
        }
    }
}
