import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import Foundation

extension CSPTx {
    /// `csp-tx contract propose`: a new definition, awaiting approval.
    struct ContractPropose: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "propose",
            abstract: "Propose a workflow definition (a JSON or YAML file) for approval.",
            discussion: """
                Calls contract.propose with the definition as JSON (YAML is converted \
                here; the ledger only sees JSON), waits for the block and prints the \
                stored version and its hash: what every named organisation's admin then \
                approves with 'csp-tx contract approve NAME VERSION'. Exits 1 when the \
                definition is refused (not a valid state machine, a version that exists); \
                2 when the file cannot be read or parsed; 75 when no answer came within \
                --timeout (the outcome is unknown).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var definition: DefinitionSubmission

        func execute() throws -> ExitStatus {
            try definition.submit(function: "propose", global: global)
        }
    }
}

/// What `contract propose` and `contract upgrade` share: the definition file, the channel
/// and how long to wait, and the call itself (the same call, the same answer).
struct DefinitionSubmission: ParsableArguments {
    @OptionGroup var channel: ChannelOption

    @Argument(help: ArgumentHelp("The definition, JSON or YAML (.yaml, .yml).", valueName: "file"), completion: .file())
    var file: String

    @OptionGroup var wait: CommitTimeoutOption

    func submit(function: String, global: GlobalOptions) throws -> ExitStatus {
        let channel = try self.channel.resolved
        let document = try DefinitionDocument(file: file)
        let participant = try Participant(home: global.resolvedHome)
        let client = try participant.client(socket: global.resolvedSocket, timeout: wait.limit)
        defer { client.close() }
        let output = global.output
        let committed = try CommitCall(participant: participant, client: client, channel: channel, output: output)
            .commit(contract: "contract", function: function, arguments: [TransactionArgument(name: "definition", value: document.json)])
        var json = committed.fields
        json["name"] = .string(document.name)
        json["version"] = .int(Int64(document.version))
        let record = try? StateReads(client: client, channel: channel).json("contract/def/\(document.name)/\(document.version)")
        if let record { json.merge(DefinitionRecord.summary(record)) { _, stored in stored } }
        output.emit(json: json, text: "\(function == "upgrade" ? "upgraded" : "proposed") in block \(committed.block): "
            + (record.map(DefinitionRecord.line) ?? "\(document.name) v\(document.version)"))
        return .success
    }
}
