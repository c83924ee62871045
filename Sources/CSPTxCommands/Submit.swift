import ArgumentParser
import CSPBasics
import CSPChannel
import CSPCLI
import CSPFormat
import CSPNodeProtocol
import Foundation

extension CSPTx {
    /// `csp-tx submit`: sign, submit, wait for the commit.
    struct Submit: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Sign and submit a transaction, or a batch of them, and wait for the commit.",
            discussion: """
                Prints one JSON object per transaction: txid, block, index, code, reason. \
                Arguments come as name=value pairs, or as a JSON object with --json. With \
                --batch, each input line is a JSON object {"call": "contract.function", \
                "args": {...}}; many are in flight at once and one result line is printed \
                per input line, in input order, with the input's line number and an \
                "outcome": committed; accepted (--no-wait); invalid (in a block, marked \
                invalid); refused (never ordered); failed (a malformed line, or the node \
                could not take it); unknown (sent, but the connection was lost before the \
                answer: it may or may not commit, so look its txid up with 'csp-tx tx' \
                before resubmitting); unsent (the connection was lost first: resubmit); \
                already-done (its once key was used: the first transaction's answer). \
                --once KEY records KEY on chain for this identity: running the same \
                command again (a retried cron line) takes no second effect and prints the \
                first transaction's txid and block (docs/CHANNELS.md, "Submitting once"); \
                a batch line carries it as "args": {"csp.once": KEY}. --timeout bounds each \
                wait for the node (500ms, 30s, 2m). Exits 0 when every transaction \
                committed valid (or was done already), 1 when any was invalid or rejected, \
                2 when it could not submit (any failed or unsent line), 75 when the outcome \
                is unknown: sent, but no answer came in time (with the same --once key a \
                retry is safe).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption

        @Argument(help: ArgumentHelp("The call, as contract.function (e.g. kv.put).", valueName: "contract.function"),
                  completion: .list(BuiltinContracts.calls))
        var call: String?

        @Argument(help: ArgumentHelp("Arguments as name=value; name=@file passes the file's content (UTF-8 text), name=@- standard input, name=@@x the text @x.", valueName: "name=value"))
        var arguments: [String] = []

        @Option(name: .long, help: ArgumentHelp("Arguments as a JSON object of strings; - for standard input.", valueName: "file"), completion: .file())
        var json: String?

        @Option(name: .long, help: ArgumentHelp("NDJSON calls, one per line; - for standard input.", valueName: "file"), completion: .file())
        var batch: String?

        @Flag(name: .long, help: "Return once the node has accepted the transaction, without waiting for the block.")
        var noWait = false

        @Flag(name: .long, help: "Sign but do not submit: print the signed transaction (base64) for --signed or 'csp-tx endorse'.")
        var signOnly = false

        @Option(name: .long, help: ArgumentHelp("Submit a transaction signed earlier with --sign-only (repeatable; - for standard input).", valueName: "file"), completion: .file())
        var signed: [String] = []

        @Option(name: .long, help: "Transactions in flight at once with --batch.")
        var window: Int = 2000

        @OptionGroup var wait: CommitTimeoutOption
        @OptionGroup var once: OnceOption

        func validate() throws {
            if batch == nil && call == nil && signed.isEmpty { throw ValidationError("give a call (contract.function), --signed or --batch") }
            if !signed.isEmpty && (call != nil || batch != nil || signOnly) { throw ValidationError("--signed submits transactions as they are") }
            if batch != nil && (call != nil || json != nil) { throw ValidationError("--batch takes its calls from the file, not from arguments") }
            if window < 1 { throw ValidationError("--window must be at least 1") }
            if once.once != nil && (batch != nil || !signed.isEmpty) {
                throw ValidationError("--once goes with one call; in a batch line give \"args\": {\"\(TransactionBody.onceArgument)\": KEY}")
            }
        }

        func execute() throws -> ExitStatus {
            let channel = try self.channel.resolved
            let participant = try Participant(home: global.resolvedHome)
            let output = global.output(defaultFormat: .json)
            if let batch {
                return try BatchSubmission(participant: participant, channel: channel, socket: global.resolvedSocket,
                                           window: window, wait: !noWait, timeout: timeoutLimit, output: output).run(input: batch)
            }
            if !signed.isEmpty { return try submitSigned(channel: channel, participant: participant, output: output) }
            var parsed = try CallArguments.contents(arguments)
            if let json { parsed += try Self.parse(jsonObject: try FileIO.read(json, limit: 16 << 20), source: json) }
            if let argument = once.argument { parsed.append(argument) }
            let (contract, function) = try Self.split(call!)
            let transaction = try participant.transaction(channel: channel, contract: contract, function: function, arguments: parsed)
            if signOnly {
                SignedTransactionFile.emit(transaction, output: output)
                return .success
            }
            let client = try participant.client(socket: global.resolvedSocket, timeout: timeoutLimit)
            defer { client.close() }
            var request = client.makeRequest("submit", channel: channel)
            request.tx = Data(transaction.encoded()).base64EncodedString()
            request.wait = !noWait
            let response: NodeResponse
            do {
                response = try client.call(request)
            } catch {
                // Sent, but no answer: the transaction may still commit.
                throw Self.outcomeUnknown(error, txid: transaction.id.hex, once: once.once != nil)
            }
            Self.print(response, txid: transaction.id.hex, output: output)
            if let note = Self.alreadyDoneNote(response), !global.quiet { Diagnostics.note(note) }
            // The node cannot tell either (its orderer's answer was lost, a commit failed): 75.
            if response.outcome == SubmitOutcome.unknown.rawValue {
                throw CSPParticipant.outcomeUnknown(response.error ?? "outcome unknown", txid: transaction.id.hex, once: once.once != nil)
            }
            if response.status == 2 { throw CommandFailure(response.error ?? "could not submit") }
            if response.status != 0 {
                if !global.quiet { Diagnostics.error(response.error ?? "transaction \(response.code ?? "invalid")") }
                return .no
            }
            return .success
        }

        /// Submits pre-signed transactions, pipelined on one connection, results in order.
        private func submitSigned(channel: String, participant: Participant, output: Output) throws -> ExitStatus {
            let transactions = try signed.map(SignedTransactionFile.read)
            let client = try participant.client(socket: global.resolvedSocket, timeout: timeoutLimit)
            defer { client.close() }
            var requests: [NodeRequest] = []
            for transaction in transactions {
                var request = client.makeRequest("submit", channel: transaction.body.channel)
                request.tx = Data(transaction.encoded()).base64EncodedString()
                request.wait = !noWait
                try client.send(request)
                requests.append(request)
            }
            var answers: [UInt64: NodeResponse] = [:]
            while answers.count < requests.count {
                do {
                    let response = try client.receive()
                    answers[response.id] = response
                } catch {
                    let open = zip(requests, transactions).filter { answers[$0.0.id] == nil }.map(\.1.id.hex)
                    throw CommandFailure("\(error); the outcome of transaction(s) \(open.joined(separator: ", ")) is unknown: look each up with 'csp-tx tx' before submitting again",
                                         status: .outcomeUnknown)
                }
            }
            var worst = ExitStatus.success
            for (request, transaction) in zip(requests, transactions) {
                let response = answers[request.id]!
                Self.print(response, txid: transaction.id.hex, output: output)
                if response.status == 2 { worst = .failure } else if response.status != 0 && worst == .success { worst = .no }
            }
            return worst
        }

        private var timeoutLimit: Double? { wait.limit }

        /// Sent, no answer in time: exit 75, and say how to retry safely.
        static func outcomeUnknown(_ error: any Error, txid: String, once: Bool) -> CommandFailure {
            CSPParticipant.outcomeUnknown(error, txid: txid, once: once)
        }

        /// "already done: …" for an answer that is an earlier transaction's (its once key was used).
        static func alreadyDoneNote(_ response: NodeResponse) -> String? {
            guard response.outcome == SubmitOutcome.alreadyDone.rawValue else { return nil }
            return "\(response.reason ?? "already done") \(response.txid ?? "") in block \(response.block ?? 0); nothing new was submitted"
        }

        static func print(_ response: NodeResponse, txid: String, output: Output) {
            output.emit(json: fields(response, txid: txid), text: text(response, txid: txid))
        }

        /// A submission's answer as JSON fields: txid, status, block, index, code, reason, error.
        static func fields(_ response: NodeResponse, txid: String) -> [String: JSONValue] {
            var json: [String: JSONValue] = ["txid": .string(response.txid ?? txid), "status": .int(Int64(response.status))]
            if let block = response.block { json["block"] = .int(Int64(block)) }
            if let index = response.index { json["index"] = .int(Int64(index)) }
            if let outcome = response.outcome { json["outcome"] = .string(outcome) }
            // Accepted is not yet a verdict: the block decides (docs/CHANNELS.md, "Admission").
            if let code = response.code, !isAccepted(response) { json["code"] = .string(code) }
            if let reason = response.reason { json["reason"] = .string(reason) }
            if let error = response.error, response.code == nil { json["error"] = .string(error) }
            if response.outcome == SubmitOutcome.alreadyDone.rawValue { json["outcome"] = .string(SubmitOutcome.alreadyDone.rawValue) }
            return json
        }

        static func text(_ response: NodeResponse, txid: String) -> String {
            if isAccepted(response) { return "\(response.txid ?? txid)  accepted  (not yet in a block: look it up later with 'csp-tx tx')" }
            return "\(response.txid ?? txid)  \(response.block.map { "block \($0)" } ?? "not committed")  \(response.code ?? "error")\(response.reason.map { ": " + $0 } ?? response.error.map { ": " + $0 } ?? "")"
        }

        /// --no-wait's answer: the node took the transaction, its block will judge it.
        static func isAccepted(_ response: NodeResponse) -> Bool { response.status == 0 && response.block == nil && response.outcome == "accepted" }

        static func split(_ call: String) throws -> (String, String) {
            let parts = call.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CommandFailure("'\(call)' is not contract.function", status: .usage)
            }
            return (String(parts[0]), String(parts[1]))
        }

        static func parse(jsonObject data: [UInt8], source: String) throws -> [TransactionArgument] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any] else {
                throw CommandFailure("\(quoted(source)) must hold a JSON object")
            }
            return try object.map { name, value in
                if let text = value as? String { return TransactionArgument(name: name, text: text) }
                if JSONSerialization.isValidJSONObject([value]), let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
                    return TransactionArgument(name: name, value: Array(encoded))
                }
                throw CommandFailure("\(quoted(source)): argument '\(name)' is not a string or JSON value")
            }
        }
    }
}
