import ArgumentParser
import CSPBasics
import CSPCLI
import Foundation

extension CSPTx {
    /// `csp-tx show`: one workflow instance and its timeline.
    struct Show: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print a workflow instance: its state, parties, fields, current operators, deadline and timeline.",
            discussion: """
                Reads wf/ID and its timeline wft/ID/ (docs/CONTRACTS.md). Text shows one \
                line per transition, e.g. 'block 12  2026-11-30 10:15  Acme/desk  accept: \
                submitted → accepted'; times are UTC, and a deadline already past is marked \
                overdue. With --format json, one object: the instance as stored, with \
                "overdue" and "timeline" (the entries in order). Exits 1 when there is no \
                such instance.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Argument(help: "The instance id.")
        var id: String

        func execute() throws -> ExitStatus {
            let participant = try Participant(home: global.resolvedHome)
            let reads = try participant.stateReads(socket: global.resolvedSocket, channel: try channel.resolved, timeout: timeout.limit)
            defer { reads.client.close() }
            guard let instance = try reads.json("wf/\(id)"), var object = instance.object else {
                throw CommandFailure("no instance \(quoted(id))", status: .no)
            }
            let timeline = try reads.range("wft/\(id)/").map { item -> JSONValue in
                guard let value = item.value.flatMap(StateJSON.parse) else { throw CommandFailure("the value of \(quoted(item.key ?? "")) is not JSON") }
                return value
            }
            let now = WorkflowText.now
            let deadline = instance["deadline"]?.integer
            object["overdue"] = .bool(deadline.map { $0 < now } ?? false)
            object["timeline"] = .array(timeline)
            global.output.emit(json: object, text: Self.text(instance, timeline: timeline, now: now))
            return .success
        }

        static func text(_ instance: JSONValue, timeline: [JSONValue], now: Int64) -> String {
            var lines: [String] = []
            func row(_ label: String, _ value: String) { lines.append(label.padding(toLength: 11, withPad: " ", startingAt: 0) + value) }
            lines.append("\(instance["id"]?.plain ?? "?")  \(instance["definition"]?.plain ?? "?") v\(instance["version"]?.plain ?? "?")  \(instance["state"]?.plain ?? "?")")
            row("operators", WorkflowText.operators(instance["operators"]))
            row("deadline", WorkflowText.deadline(instance["deadline"]?.integer, now: now))
            if let parties = instance["parties"]?.object, !parties.isEmpty {
                row("parties", parties.keys.sorted().map { "\($0) \(parties[$0]!.plain)" }.joined(separator: ", "))
            }
            if let fields = instance["fields"]?.object, !fields.isEmpty {
                lines.append("fields")
                let width = fields.keys.map(\.count).max()! + 2
                for name in fields.keys.sorted() {
                    lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + oneLine(value(fields[name]!)))
                }
            }
            if let signatures = instance["signatures"], signatures != .null {
                row("signing", "\(signatures["transition"]?.plain ?? "?"): signed by \(signatures["signed"]?.array?.map(\.plain).joined(separator: ", ") ?? "nobody")")
            }
            for document in instance["documents"]?.array ?? [] {
                row("document", "\(document["field"]?.plain ?? "?"): \(document["name"]?.plain ?? "?")  sha256 \(document["sha256"]?.plain ?? "?")  \(document["size"]?.plain ?? "?") bytes")
            }
            if let links = instance["links"]?.array, !links.isEmpty { row("links", links.map(\.plain).joined(separator: ", ")) }
            if !timeline.isEmpty { lines.append("timeline") }
            for entry in timeline { lines.append("  " + timelineLine(entry)) }
            return lines.joined(separator: "\n")
        }

        /// "block 12  2026-11-30 10:15  Acme/desk  accept: submitted → accepted"; a
        /// co-signed entry names its endorsers after the creator ("Acme/ed + Beta/carol")
        /// and the parties it signed for ("signed: customer, enterprise").
        static func timelineLine(_ entry: JSONValue) -> String {
            let from = entry["from"]?.string ?? ""
            let changed = entry["fields"]?.object?.keys.sorted() ?? []
            let endorsers = entry["endorsers"]?.array?.map { " + " + $0.plain }.joined() ?? ""
            let signed = entry["signed"]?.array.map { "  signed: " + $0.map(\.plain).joined(separator: ", ") } ?? ""
            return "block \(entry["block"]?.plain ?? "?")  \(entry["time"]?.integer.map(WorkflowText.time) ?? "?")  "
                + "\(entry["by"]?.plain ?? "?")\(endorsers)  \(entry["transition"]?.plain ?? "?"): \(from.isEmpty ? "" : from + " ")→ \(entry["to"]?.plain ?? "?")"
                + (changed.isEmpty ? "" : "  (" + changed.joined(separator: ", ") + ")") + signed
        }

        /// A field's value: a fingerprint as its file, per-account values by account,
        /// anything else as text.
        static func value(_ value: JSONValue) -> String {
            if let name = value["name"]?.string, let sha256 = value["sha256"]?.string, let size = value["size"]?.integer {
                return "\(name)  sha256 \(sha256)  \(size) bytes"
            }
            if let members = value.object {
                return members.keys.sorted().map { "\($0): \(members[$0]!.plain)" }.joined(separator: "; ")
            }
            if let list = value.array { return list.map(\.plain).joined(separator: ", ") }
            return value.plain
        }

        /// Field values are free text; one row each.
        private static func oneLine(_ text: String) -> String {
            let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
            return flat.count > 100 ? String(flat.prefix(99)) + "…" : flat
        }
    }
}
