import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import Foundation

extension CSPTx {
    /// `csp-tx call`: one workflow transition, for people and cron lines.
    struct Call: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Fire a workflow transition (DEFINITION.TRANSITION) and print the instance's new state.",
            discussion: """
                Signs and submits a call of contract DEFINITION, function TRANSITION, with \
                the instance id and the fields given as field=value, waits for the block \
                and prints the transaction, the instance's new state and whose turn it is \
                now (docs/CONTRACTS.md). field=@FILE records the file's fingerprint, never \
                its content: {"name":BASENAME,"sha256":HEX,"size":BYTES}; field=@@TEXT \
                sends the text @TEXT. A transition that creates an instance gets a new \
                readable id (e.g. D-20261130-9f2c41ab) unless --id names one; the id is \
                printed first. --once KEY makes a cron line safe to retry: the same KEY by \
                the same identity takes effect once, a retry prints the first call's \
                transaction and block, and without --id the new id is derived from the \
                key (e.g. D-once-3fa9c2e1b4d07a55), so it names the same instance. Exits 0 \
                when the transition committed (or was done already with this --once key), \
                1 when it was refused (its reason names the state and who may act), 2 when \
                it could not be submitted (an unreadable file: nothing is sent), 75 when \
                the outcome is unknown (sent, no answer within --timeout: run it again with \
                the same --once key, or look the txid up). --dry-run prints the call \
                as a 'csp-tx submit --batch' line instead, {"call":…,"args":{…}}, without \
                signing or sending it. --sign-only signs it and prints the signed \
                transaction ({"txid":…,"tx":…}) without sending it, for another party to \
                co-sign with 'csp-tx endorse' and anyone to send with 'csp-tx submit \
                --signed' (docs/CONTRACTS.md, "Co-signatures").
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption

        @Argument(help: ArgumentHelp("The definition and transition, e.g. demand.submit.", valueName: "definition.transition"),
                  completion: .custom { words, _, _ in ContractList.completeCalls(words) })
        var call: String

        @Argument(help: ArgumentHelp("Fields as field=value, field=@file (its fingerprint) or field=@@text (the text @text).", valueName: "field=value"))
        var fields: [String] = []

        @Option(name: .long, help: "The instance (default for a creating transition: a new id).")
        var id: String?

        @OptionGroup var wait: CommitTimeoutOption
        @OptionGroup var once: OnceOption

        @Flag(name: .long, help: "Print the call as a 'submit --batch' line (fingerprints computed) instead of sending it.")
        var dryRun = false

        @Flag(name: .long, help: "Sign but do not send: print the signed transaction for 'csp-tx endorse' or 'csp-tx submit --signed'.")
        var signOnly = false

        func validate() throws {
            if dryRun && signOnly { throw ValidationError("--dry-run and --sign-only cannot be used together") }
        }

        func execute() throws -> ExitStatus {
            let (definition, transition) = try Submit.split(call)
            let parsed = try CallArguments.parse(fields)
            if dryRun {
                // Nothing is asked of the node: without --id, the id a creating call would get.
                let arguments = try CallArguments.arguments(id: try id ?? newID(definition, try? Participant(home: global.resolvedHome)), fields: parsed) + (once.argument.map { [$0] } ?? [])
                let args = Dictionary(uniqueKeysWithValues: arguments.map { ($0.name, JSONValue.string(String(decoding: $0.value, as: UTF8.self))) })
                if !global.quiet { print(JSONValue.object(["call": .string(call), "args": .object(args)]).serialized) }
                return .success
            }
            let channel = try self.channel.resolved
            let participant = try Participant(home: global.resolvedHome)
            if signOnly {
                // Nothing is asked of the node, as with --dry-run.
                let arguments = try CallArguments.arguments(id: try id ?? newID(definition, participant), fields: parsed) + (once.argument.map { [$0] } ?? [])
                let transaction = try participant.transaction(channel: channel, contract: definition, function: transition, arguments: arguments)
                SignedTransactionFile.emit(transaction, output: global.output(defaultFormat: .json))
                return .success
            }
            // Files first: a missing one must fail before anything reaches the node.
            var arguments = try CallArguments.arguments(id: id ?? "", fields: parsed) + (once.argument.map { [$0] } ?? [])
            let client = try participant.client(socket: global.resolvedSocket, timeout: wait.limit)
            defer { client.close() }
            let reads = StateReads(client: client, channel: channel)
            let instance: String
            if let id {
                instance = id
            } else {
                instance = try newID(definition: definition, transition: transition, reads: reads, participant: participant)
                arguments[0] = .init(name: "id", text: instance)
            }
            let output = global.output
            let committed = try CommitCall(participant: participant, client: client, channel: channel, output: output)
                .commit(contract: definition, function: transition, arguments: arguments)
            if let note = committed.alreadyDone, !global.quiet { Diagnostics.note(note) }
            // The transition is in; its state is a courtesy. A reader the policy refuses
            // still gets the commit and exit 0.
            let state: JSONValue?
            do {
                state = try reads.json("wf/\(instance)")
            } catch {
                if global.verbose { Diagnostics.note("csp-tx call: cannot read the instance: \(error)") }
                state = nil
            }
            var json = committed.fields
            json["id"] = .string(instance)
            if let state {
                json["state"] = state["state"] ?? .null
                json["operators"] = state["operators"] ?? .array([])
                json["deadline"] = state["deadline"] ?? .null
            }
            output.emit(json: json, text: Self.line(id: instance, block: committed.block, state: state))
            return .success
        }

        /// "D-20261130-9f2c41ab  submitted  block 12  next: role enterprise of Acme  due 2026-12-01 10:15"
        static func line(id: String, block: UInt64, state: JSONValue?) -> String {
            guard let state else { return "\(id)  committed  block \(block)" }
            let deadline = state["deadline"]?.integer
            return "\(id)  \(state["state"]?.plain ?? "?")  block \(block)  next: \(WorkflowText.operators(state["operators"]))"
                + (deadline.map { "  " + WorkflowText.deadline($0, now: WorkflowText.now) } ?? "")
        }

        /// A new id, once the definition says the transition creates an instance. When it
        /// cannot be read (no active version, a read the policy refuses) the call goes
        /// ahead and the node's answer says what is wrong.
        private func newID(definition: String, transition: String, reads: StateReads, participant: Participant) throws -> String {
            if let active = try? reads.json("contract/active/\(definition)"), let version = active["version"]?.integer,
               let record = try? reads.json("contract/def/\(definition)/\(version)"),
               let from = record["definition"]?["transitions"]?[transition]?["from"]?.array, !from.isEmpty {
                throw CommandFailure("\(definition).\(transition) acts on an existing instance: give its --id", status: .usage)
            }
            return try newID(definition, participant)
        }

        /// A new instance id; with --once, the same for every retry of the key, so the
        /// retry names the instance the first call created.
        private func newID(_ definition: String, _ participant: Participant? = nil) throws -> String {
            guard let key = once.once else { return try InstanceID.generate(definition: definition) }
            let account = try participant.map { try $0.identity().account } ?? ""
            return InstanceID.once(definition: definition, account: account, key: key)
        }
    }
}
