import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeProtocol
import Foundation

extension CSPTx {
    /// `csp-tx watch`: events as NDJSON, resumable.
    struct Watch: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Stream events as JSON lines, in commit order; reconnects and resumes after a node restart.",
            discussion: """
                Starts at --from (a block number) or at the next block. Each line is one \
                event: block, index, txid, contract, function, event, payload. When the \
                connection drops, it reconnects and resumes after the last complete block. \
                With --mine, the notification feed of the identity in --home: workflow \
                transitions whose operators name my account or my role (in my organisation \
                or any), or whose parties include me; account events naming me; and, for \
                admins, the contract lifecycle (propose, approve, activate). In text, a \
                transition reads 'block 12  D-20261130-9f2c41ab  demand.accept: submitted → \
                accepted  by Acme/desk  next: role enterprise of Acme'. On a node whose \
                state forked from another node's on the channel (docs/NETWORK.md, "State \
                forks"), the events it holds are printed, one 'warning: the node's answer is \
                suspect: ...' line goes to stderr, and the watch ends once it has them all \
                (the node commits no more blocks there) with exit 2; it exits 2 as well \
                when --count ends it first. Exit codes: 0 --count events delivered; 2 the \
                node was lost for longer than --retry, or its events are suspect; 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption

        @Option(name: .long, help: "The first block to deliver events from.")
        var from: UInt64?

        @Option(name: .long, help: "Only events of this contract.")
        var contract: String?

        @Option(name: .long, help: "Only events with this name.")
        var event: String?

        @Option(name: .long, help: "Only transactions involving this account (ORG/ID).")
        var account: String?

        @Flag(name: .long, help: "Only my notifications: transitions that make me an operator or concern an instance I am a party to.")
        var mine = false

        @Flag(name: .long, help: "With each event, the values its transaction wrote ('writes': key to new value, null when deleted; needs the state read).")
        var values = false

        @Option(name: .long, help: "Stop after this many events (default: run until interrupted).")
        var count: Int?

        @Option(name: .long, help: "Seconds to keep retrying a node that is down before giving up.")
        var retry: Double = 60

        /// "  kv/demand-1=heating fails" for each write, in key order, after the event's text.
        static func writesText(_ item: NodeItem) -> String {
            guard let writes = item.writes else { return "" }
            return writes.keys.sorted().map { key in "  \(key)=" + (writes[key]!.map { $0 } ?? "(deleted)") }.joined()
        }

        func validate() throws {
            if mine && account != nil { throw ValidationError("--mine and --account cannot be used together") }
        }

        func execute() throws -> ExitStatus {
            let channel = try self.channel.resolved
            let participant = try Participant(home: global.resolvedHome)
            let filter = mine ? MineFilter(identity: try participant.identity()) : nil
            let json = (global.format ?? .json) == .json
            var next = from
            var delivered = 0
            var downSince: Date?
            while true {
                do {
                    // The subscription's first answer is due at once; events may take as long as they take.
                    let client = try participant.client(socket: global.resolvedSocket, timeout: NodeClient.defaultTimeout)
                    defer { client.close() }
                    downSince = nil
                    var request = client.makeRequest("subscribe", channel: channel)
                    request.from = next
                    request.contract = contract
                    request.event = event
                    request.account = account
                    if values { request.values = true }
                    try client.sign(&request)
                    try client.send(request)
                    let accepted = try client.receive()
                    try check(accepted)
                    next = accepted.block
                    client.timeout = nil
                    while true {
                        let response = try client.receive()
                        try check(response)
                        if let item = response.eventItem {
                            if let filter, !filter.matches(item) { continue }
                            if !global.quiet {
                                print(json ? ReadOutput.line(item) : filter != nil ? MineFilter.text(item, now: WorkflowText.now) : ReadOutput.text(item) + Self.writesText(item))
                                fflush(nil)
                            }
                            delivered += 1
                            if let count, delivered >= count { return .success }
                        } else if let block = response.block {
                            next = block + 1  // the block is complete: resume after it
                        }
                    }
                } catch let failure as CommandFailure {
                    throw failure
                } catch {
                    // The node went away: retry until it is back or the patience runs out.
                    let start = downSince ?? Date()
                    downSince = start
                    if Date().timeIntervalSince(start) > retry {
                        throw CommandFailure("lost the node at \(quoted(global.resolvedSocket)): \(error)")
                    }
                    if global.verbose { Diagnostics.note("csp-tx watch: reconnecting (\(error))") }
                    usleep(200_000)
                }
            }
        }
    }
}
