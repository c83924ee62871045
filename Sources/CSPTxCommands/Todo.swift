import ArgumentParser
import CSPBasics
import CSPCLI
import Foundation

extension CSPTx {
    /// `csp-tx todo`: the instances waiting for me.
    struct Todo: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "List the workflow instances where it is my turn, oldest deadline first.",
            discussion: """
                My turn: my account, or my role (in my organisation or in any), is among an \
                instance's current operators; account, role and organisation come from the \
                certificate in --home. Reads only the todo index and the instances printed \
                (docs/CONTRACTS.md), so it stays fast however many instances are open. Each \
                line: id, definition, state, deadline (times UTC; past ones marked overdue). \
                With --format json, one object per instance: id, definition, state, \
                deadline (milliseconds or null), overdue. Prints nothing when there is \
                nothing to do (exit 0).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(name: .long, help: "At most this many instances; 0 for all.")
        var limit: Int = 50

        func validate() throws {
            if limit < 0 { throw ValidationError("--limit must be 0 or more") }
        }

        func execute() throws -> ExitStatus {
            let participant = try Participant(home: global.resolvedHome)
            let identity = try participant.identity()
            let reads = try participant.stateReads(socket: global.resolvedSocket, channel: try channel.resolved, timeout: timeout.limit)
            defer { reads.client.close() }
            let most = limit == 0 ? nil : limit
            let prefixes = TodoIndex.prefixes(for: identity)
            let lists = try zip(prefixes, reads.ranges(prefixes, limit: most)).map { prefix, items in
                items.compactMap { $0.key.flatMap { TodoIndex.entry(key: $0, prefix: prefix) } }
            }
            let entries = TodoIndex.merge(lists, limit: most)
            let instances = try reads.values(entries.map { "wf/\($0.id)" })
            let now = WorkflowText.now
            let output = global.output
            var rows: [(JSONValue, [String])] = []
            for (entry, text) in zip(entries, instances) {
                // Gone between the two reads (an instance finished meanwhile): not my turn.
                guard let instance = text.flatMap(StateJSON.parse) else { continue }
                let definition = instance["definition"]?.plain ?? "?", state = instance["state"]?.plain ?? "?"
                let json: [String: JSONValue] = [
                    "id": .string(entry.id), "definition": .string(definition), "state": .string(state),
                    "deadline": entry.deadline.map { .int($0) } ?? .null, "overdue": .bool(entry.deadline.map { $0 < now } ?? false),
                ]
                rows.append((.object(json), [entry.id, definition, state, WorkflowText.deadline(entry.deadline, now: now)]))
            }
            // Text in columns as wide as their widest cell.
            let widths = (0..<3).map { column in rows.map { $0.1[column].count }.max() ?? 0 }
            for (json, cells) in rows {
                let text = cells.enumerated().map { index, cell in
                    index < 3 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
                }.joined(separator: "  ")
                output.emit(json: json.object ?? [:], text: text)
            }
            return .success
        }
    }
}
