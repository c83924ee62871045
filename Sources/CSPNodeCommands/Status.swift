import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeProtocol

extension CSPNode {
    /// `csp-node status`: heights and hashes of a running node.
    struct Status: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Show a running node's channels: height, last block hash, commit hash, counts, uptime.")

        @OptionGroup(title: "Global Options") var global: GlobalOptions

        func execute() throws -> ExitStatus {
            let client: NodeClient
            do { client = try NodeClient(path: global.resolvedSocket) } catch { throw global.cannotConnect(error) }
            defer { client.close() }
            let response = try client.call(client.makeRequest("status", channel: nil))
            guard response.status == 0 else { throw CommandFailure(response.error ?? "status failed") }
            var healthy = true
            for channel in response.channels ?? [] {
                let state = channel.state ?? "running"
                var json: [String: JSONValue] = [
                    "channel": .string(channel.channel), "state": .string(state), "height": .int(Int64(channel.height)),
                    "last_block_hash": .string(channel.lastBlockHash), "commit_hash": .string(channel.commitHash),
                    "transactions": .int(Int64(channel.transactions)), "pending": .int(Int64(channel.pending)),
                    "uptime": .double(response.uptime ?? 0)]
                var text = "\(channel.channel)  \(state)  height \(channel.height)  block \(channel.lastBlockHash)  commit \(channel.commitHash)  committed \(channel.transactions) tx since start  pending \(channel.pending)  up \(Int(response.uptime ?? 0)) s"
                if let following = channel.following {
                    json["following"] = .string(following)
                    text += "  following \(following)"
                }
                if let fork = channel.fork {
                    json["fork"] = .object(["block": .int(Int64(fork.block)), "commit_hash": .string(fork.commitHash),
                                            "other_commit_hash": .string(fork.otherCommitHash), "node": .string(fork.node)])
                }
                if let reason = channel.reason {
                    healthy = false
                    json["reason"] = .string(reason)
                    text += "\n  \(reason)"
                }
                global.output.emit(json: json, text: text)
            }
            // Exit 1 when a channel is stopped or forked: a monitoring script needs no parsing.
            return healthy ? .success : .no
        }
    }
}
