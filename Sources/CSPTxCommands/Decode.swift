import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import Foundation

extension CSPTx {
    /// `csp-tx decode`: what a signed transaction file holds, before anyone submits or
    /// endorses it.
    struct Decode: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Show a signed transaction (from --sign-only or endorse): its call, creator and endorsers.",
            discussion: """
                Prints txid, channel, timestamp (milliseconds since 1970, as 'csp-tx tx' \
                prints it), time (the same instant in ISO 8601 UTC, as csp-audit prints \
                it: 2026-11-30T10:15:02.113Z), contract, function, arguments, creator, \
                endorsers (in JSON the names 'csp-tx tx' uses), and "signatures": "valid" when the creator's and every \
                endorser's signature verify over the id with their certificates' keys, or \
                which do not. Nothing is sent to a node: whether the signers are admitted \
                is the node's question. Exits 0 when every signature verifies, 1 when one \
                does not, 2 when the input is unreadable or malformed.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Argument(help: ArgumentHelp("The signed transaction; - for standard input.", valueName: "file"), completion: .file())
        var file: String = "-"

        func execute() throws -> ExitStatus {
            let transaction = try SignedTransactionFile.read(file)
            let body = transaction.body
            let bad = SignatureCheckText.join(SignedTransactionFile.badSignatures(transaction))
            let args = Dictionary(uniqueKeysWithValues: body.arguments.map {
                ($0.name, JSONValue.string(String(validating: $0.value, as: UTF8.self) ?? "base64:" + Data($0.value).base64EncodedString()))
            })
            let endorsers = transaction.endorsements.map { SignedTransactionFile.account($0.certificate) }
            global.output.emit(json: [
                "txid": .string(transaction.id.hex), "channel": .string(body.channel), "timestamp": .int(Int64(clamping: body.timestamp)),
                "time": .string(LogLines.timestamp(milliseconds: Int64(clamping: body.timestamp))),
                "contract": .string(body.contract), "function": .string(body.function), "arguments": .object(args),
                "creator": .string(SignedTransactionFile.account(body.creator)), "endorsers": .array(endorsers.map(JSONValue.string)),
                "signatures": .string(bad.map { "\($0) does not verify" } ?? "valid"),
            ], text: """
                txid        \(transaction.id.hex)
                channel     \(body.channel)
                time        \(LogLines.timestamp(milliseconds: Int64(clamping: body.timestamp)))
                call        \(Self.call(transaction.body))
                creator     \(SignedTransactionFile.account(body.creator))
                endorsers   \(endorsers.isEmpty ? "none" : endorsers.joined(separator: ", "))
                signatures  \(bad.map { "\($0) does not verify" } ?? "valid")
                """)
            return bad == nil ? .success : .no
        }

        /// "service.sign id=C-1 price=100 EUR by Acme/alice (txid 1f…)": one line to judge a call by.
        static func summary(_ transaction: Transaction) -> String {
            "\(call(transaction.body)) by \(SignedTransactionFile.account(transaction.body.creator)) (txid \(transaction.id.hex))"
        }

        /// "service.sign id=C-1 price=100 EUR": the call and its arguments (long ones cut).
        static func call(_ body: TransactionBody) -> String {
            let args = body.arguments.map { "\($0.name)=\(String(validating: $0.value, as: UTF8.self).map { String($0.prefix(80)) } ?? "<\($0.value.count) bytes>")" }
            return (["\(body.contract).\(body.function)"] + args).joined(separator: " ")
        }
    }
}
