import ArgumentParser
import CSPCLI

extension CSPTx {
    /// `csp-tx contract list`: every definition version on the channel.
    struct ContractList: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "list",
            abstract: "List the workflow definitions: each version, its status and approvals.",
            discussion: """
                One line per version (contract/def/): name, version, status (proposed, \
                active, superseded), who approved and who is still to, the hash. With \
                --format json: name, version, status, hash, organizations, approvals. \
                Prints nothing when there are none.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        func execute() throws -> ExitStatus {
            let participant = try Participant(home: global.resolvedHome)
            let reads = try participant.stateReads(socket: global.resolvedSocket, channel: try channel.resolved, timeout: timeout.limit)
            defer { reads.client.close() }
            // Keys sort VERSION as text (10 before 2): order by name, then number.
            let records = try reads.range("contract/def/").compactMap { $0.value.flatMap(StateJSON.parse) }.sorted { a, b in
                let (nameA, nameB) = (a["name"]?.plain ?? "", b["name"]?.plain ?? "")
                return nameA != nameB ? nameA < nameB : (a["version"]?.integer ?? 0) < (b["version"]?.integer ?? 0)
            }
            for record in records { global.output.emit(json: DefinitionRecord.summary(record), text: DefinitionRecord.line(record)) }
            return .success
        }
    }
}
