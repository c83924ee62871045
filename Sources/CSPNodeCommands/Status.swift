import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeProtocol

extension CSPNode {
    /// `csp-node status`: heights and hashes of a running node.
    struct Status: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Show a running node's channels: height, last block hash, commit hash, counts, uptime.",
            discussion: """
                With --peers, one line per known node of each followed channel instead: the \
                channel's orderer and peers (those of follow.conf, and those learned from \
                other nodes, with the node that named them), each node's height, how far \
                this node lags it, the seconds since its last frame, and whether it is \
                trusted (not avoided for having served a block that fails verification, nor \
                found forked when its commit hashes were compared). A channel kept as an \
                access node (csp-node join --access) shows role access; its height is the \
                number of verified block headers it keeps, and --peers names it on every \
                line. Exit codes: 0 done; 1 a channel is stopped or forked (a fork found \
                before a restart stays until 'csp-node clear-fork' or 'csp-node rebuild'); \
                2 could not answer (no node running); 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions

        @Flag(name: .long, help: "Show every node each followed channel takes blocks from.")
        var peers = false

        func execute() throws -> ExitStatus {
            let client: NodeClient
            do { client = try NodeClient(path: global.resolvedSocket) } catch { throw global.cannotConnect(error) }
            defer { client.close() }
            let response = try client.call(client.makeRequest("status", channel: nil))
            guard response.status == 0 else { throw CommandFailure(response.error ?? "status failed") }
            var healthy = true
            for channel in response.channels ?? [] {
                if channel.reason != nil { healthy = false }
                if peers {
                    emitPeers(channel)
                    continue
                }
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
                if let role = channel.role {
                    // An access node: `height` counts the block headers it verified and keeps.
                    json["role"] = .string(role)
                    text += "  role \(role) (headers only)"
                }
                if let fork = channel.fork {
                    json["fork"] = .object(["block": .int(Int64(fork.block)), "commit_hash": .string(fork.commitHash),
                                            "other_commit_hash": .string(fork.otherCommitHash), "node": .string(fork.node)])
                }
                if let reason = channel.reason {
                    json["reason"] = .string(reason)
                    text += "\n  \(reason)"
                }
                global.output.emit(json: json, text: text)
            }
            // Exit 1 when a channel is stopped or forked: a monitoring script needs no parsing.
            return healthy ? .success : .no
        }

        /// One line per source of a followed channel (none for a channel the node orders).
        private func emitPeers(_ channel: ChannelStatus) {
            for peer in channel.peers ?? [] {
                let lag = peer.height.map { $0 > channel.height ? $0 - channel.height : 0 }
                var json: [String: JSONValue] = [
                    "channel": .string(channel.channel), "address": .string(peer.address), "role": .string(peer.role),
                    "height": peer.height.map { .int(Int64($0)) } ?? .null, "lag": lag.map { .int(Int64($0)) } ?? .null,
                    "last_contact": peer.lastContact.map { .double(($0 * 10).rounded() / 10) } ?? .null, "trusted": .bool(peer.trusted)]
                if let role = channel.role {
                    json["node_role"] = .string(role)
                    json["node_height"] = .int(Int64(channel.height))
                }
                var text = "\(channel.channel)\(channel.role.map { " (\($0), headers \(channel.height))" } ?? "")  \(peer.role) \(peer.address)  height \(peer.height.map(String.init) ?? "unknown")"
                    + "  lag \(lag.map(String.init) ?? "unknown")"
                    + "  contact \(peer.lastContact.map { String(format: "%.1f s ago", $0) } ?? "never")"
                    + "  \(peer.trusted ? "trusted" : "avoided")"
                json["learned_from"] = peer.learnedFrom.map { .string($0) } ?? .null
                if let origin = peer.learnedFrom { text += "  learned from \(origin)" }
                if let reason = peer.reason {
                    json["reason"] = .string(reason)
                    text += "\n  \(reason)"
                }
                global.output.emit(json: json, text: text)
            }
        }
    }
}
