import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeProtocol
import Foundation

extension CSPTx {
    /// `csp-tx blocks`: a range of blocks as JSON lines, for exports from the shell.
    struct Blocks: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Stream blocks --from A [--to B] as JSON lines, stopping at the head unless --follow.",
            discussion: """
                One line per block, as 'csp-tx block N --format json' prints it: number, \
                hash, previous and commit hashes, and its transactions with their validation \
                codes. Without --to it stops at the channel's head as it was when the command \
                started; with --follow it then waits for every new block and prints it once \
                committed (until interrupted, or --to). Exit 1 when --from is past the head \
                and --follow is not given. Needs the policy's 'block' read.

                Example: csp-tx blocks --from 0 | jq -c '{block, tx: (.transactions | length)}'
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(name: .long, help: "The first block.")
        var from: UInt64 = 0

        @Option(name: .long, help: "The last block (default: the head, or no end with --follow).")
        var to: UInt64?

        @Flag(name: .long, help: "After the head, wait for new blocks and print each as it commits.")
        var follow = false

        func validate() throws {
            if let to, to < from { throw ValidationError("--to must not be before --from") }
        }

        func execute() throws -> ExitStatus {
            let channel = try self.channel.resolved
            let participant = try Participant(home: global.resolvedHome)
            let client = try participant.client(socket: global.resolvedSocket, timeout: timeout.limit)
            defer { client.close() }
            let height = try Self.height(of: channel, client: client)
            let json = (global.format ?? .json) == .json
            guard from < height || follow else {
                throw CommandFailure("channel \(quoted(channel)) has \(height) blocks: block \(from) does not exist yet (--follow waits for it)", status: .no)
            }
            var next = from
            func emit(through last: UInt64) throws {
                while next <= last {
                    var request = client.makeRequest("block", channel: channel)
                    request.target = String(next)
                    try client.sign(&request)
                    let response = try client.call(request)
                    try check(response)
                    if let record = response.record, !global.quiet {
                        print(json ? ReadOutput.line(record) : ReadOutput.text(record))
                        fflush(nil)
                    }
                    next += 1
                }
            }
            let end = to ?? (follow ? UInt64.max : height - 1)
            try emit(through: min(end, height == 0 ? 0 : height - 1))
            guard follow, next <= end else { return .success }

            // Following: the event stream's per-block markers say when a block is committed.
            let stream = try participant.client(socket: global.resolvedSocket, timeout: timeout.limit)
            defer { stream.close() }
            var request = stream.makeRequest("subscribe", channel: channel)
            request.from = next
            request.event = "\u{0}no event has this name"
            try stream.sign(&request)
            try stream.send(request)
            try check(try stream.receive())
            stream.timeout = nil
            while next <= end {
                let marker = try stream.receive()
                try check(marker)
                if let block = marker.block, marker.eventItem == nil { try emit(through: min(block, end)) }
            }
            return .success
        }

        /// The channel's height from the node's status.
        static func height(of channel: String, client: NodeClient) throws -> UInt64 {
            let response = try client.call(client.makeRequest("status", channel: nil))
            try check(response)
            guard let status = response.channels?.first(where: { $0.channel == channel }) else {
                throw CommandFailure("no channel \(quoted(channel)) on this node", status: .no)
            }
            return status.height
        }
    }
}
