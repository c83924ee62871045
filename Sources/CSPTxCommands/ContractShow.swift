import ArgumentParser
import CSPBasics
import CSPCLI

extension CSPTx {
    /// `csp-tx contract show`: one definition version.
    struct ContractShow: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "show",
            abstract: "Show a workflow definition: status, approvals, states and transitions.",
            discussion: """
                Without VERSION, the active version, else the highest proposed. With \
                --format json, the stored record: name, version, hash, definition, status, \
                proposed, approvals. Exits 1 when there is no such definition.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Argument(help: "The definition's name.")
        var name: String

        @Argument(help: "The version (default: the active one, else the latest).")
        var version: Int?

        func execute() throws -> ExitStatus {
            let participant = try Participant(home: global.resolvedHome)
            let reads = try participant.stateReads(socket: global.resolvedSocket, channel: try channel.resolved, timeout: timeout.limit)
            defer { reads.client.close() }
            let record: JSONValue?
            if let version {
                record = try reads.json("contract/def/\(name)/\(version)")
            } else if let active = try reads.json("contract/active/\(name)")?["version"]?.integer {
                record = try reads.json("contract/def/\(name)/\(active)")
            } else {
                record = try reads.range("contract/def/\(name)/").compactMap { $0.value.flatMap(StateJSON.parse) }
                    .max { ($0["version"]?.integer ?? 0) < ($1["version"]?.integer ?? 0) }
            }
            guard let record, let object = record.object else {
                throw CommandFailure("no definition \(quoted(name))\(version.map { " version \($0)" } ?? "")", status: .no)
            }
            global.output.emit(json: object, text: Self.text(record))
            return .success
        }

        static func text(_ record: JSONValue) -> String {
            var lines = [DefinitionRecord.line(record)]
            func stamp(_ value: JSONValue?) -> String {
                guard let value else { return "?" }
                return "block \(value["block"]?.plain ?? "?")  \(value["time"]?.integer.map(WorkflowText.time) ?? "?")  \(value["by"]?.plain ?? "?")"
            }
            lines.append("proposed   " + stamp(record["proposed"]))
            for (organization, approval) in (record["approvals"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines.append("approved   \(organization): " + stamp(approval))
            }
            let definition = record["definition"]
            lines.append("states     " + (definition?["states"]?.array?.map(\.plain).joined(separator: ", ") ?? ""))
            if let initial = definition?["initial"] { lines.append("initial    " + initial.plain) }
            if let final = definition?["final"]?.array, !final.isEmpty { lines.append("final      " + final.map(\.plain).joined(separator: ", ")) }
            if let transitions = definition?["transitions"]?.object {
                lines.append("transitions")
                for name in transitions.keys.sorted() {
                    let transition = transitions[name]!
                    let from = transition["from"]?.array?.map(\.plain) ?? []
                    let by = (transition["by"]?.array ?? []).map(WorkflowText.selector).joined(separator: " or ")
                    lines.append("  \(name): \(from.isEmpty ? "(new)" : from.joined(separator: "|")) → \(transition["to"]?.plain ?? "?")"
                        + (by.isEmpty ? "" : "  by \(by)"))
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
