import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import Foundation

extension CSPTx {
    /// `csp-tx contract approve`: my organisation's approval of one exact definition.
    struct ContractApprove: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "approve",
            abstract: "Approve a proposed workflow definition for my organisation.",
            discussion: """
                Calls contract.approve NAME VERSION with the hash of the definition's text: \
                an approval is of one exact document. Without --hash, the hash stored with \
                the proposal (contract/def/NAME/VERSION) is approved, and printed so you \
                see what you approved; compare it with the proposer's. The version becomes \
                active when every organisation it names has approved. Exits 1 when there \
                is no such proposal or the approval is refused, 75 when no answer came \
                within --timeout (the outcome is unknown).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption

        @Argument(help: "The definition's name.")
        var name: String

        @Argument(help: "Its version.")
        var version: Int

        @Option(name: .long, help: ArgumentHelp("The SHA-256 (hex) of the definition you reviewed (default: the proposal's).", valueName: "hex"))
        var hash: String?

        @OptionGroup var wait: CommitTimeoutOption

        func validate() throws {
            if version < 1 { throw ValidationError("the version must be 1 or more") }
            if let hash, hash.count != 64 || Hex.decode(hash) == nil { throw ValidationError("--hash must be 64 hex digits") }
        }

        func execute() throws -> ExitStatus {
            let channel = try self.channel.resolved
            let participant = try Participant(home: global.resolvedHome)
            let client = try participant.client(socket: global.resolvedSocket, timeout: wait.limit)
            defer { client.close() }
            let reads = StateReads(client: client, channel: channel)
            let key = "contract/def/\(name)/\(version)"
            let approved: String
            if let hash {
                approved = hash.lowercased()
            } else {
                guard let record = try reads.json(key) else { throw CommandFailure("no definition \(quoted(name)) version \(version)", status: .no) }
                guard let stored = record["hash"]?.string else { throw CommandFailure("the value of \(quoted(key)) has no hash") }
                approved = stored
            }
            let output = global.output
            let committed = try CommitCall(participant: participant, client: client, channel: channel, output: output)
                .commit(contract: "contract", function: "approve", arguments: [
                    TransactionArgument(name: "name", text: name), TransactionArgument(name: "version", text: String(version)),
                    TransactionArgument(name: "hash", text: approved),
                ])
            var json = committed.fields
            json["name"] = .string(name)
            json["version"] = .int(Int64(version))
            json["hash"] = .string(approved)
            let record = try? reads.json(key)
            if let record { json.merge(DefinitionRecord.summary(record)) { mine, _ in mine } }
            output.emit(json: json, text: "approved \(name) v\(version), sha256 \(approved), in block \(committed.block)"
                + (record.map { ": \($0["status"]?.plain ?? "?"), " + DefinitionRecord.approvals($0) } ?? ""))
            return .success
        }
    }
}
