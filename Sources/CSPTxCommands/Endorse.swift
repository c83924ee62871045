import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import Foundation

extension CSPTx {
    /// `csp-tx endorse`: co-sign a transaction another participant signed, so both
    /// signatures reach the ledger in one transaction.
    struct Endorse: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Co-sign a signed transaction (from --sign-only) with the identity in --home.",
            discussion: """
                Reads a transaction printed by 'csp-tx call --sign-only' or 'csp-tx submit \
                --sign-only' (or by another endorse), checks that its signatures verify over \
                its id and that this identity has not signed it already, adds this \
                identity's signature over the same id (docs/FORMAT.md, "Signed \
                transaction") and prints the result in the same form, for 'csp-tx submit \
                --signed' or the next endorser. The call it carries is shown on stderr \
                (unless --quiet, which never drops the transaction itself): look at it \
                before passing the output on, or use 'csp-tx decode' first. Nothing is sent \
                to a node. A workflow transition with signers counts the creator and every \
                endorser as signing it (docs/CONTRACTS.md, "Co-signatures"). Exits 0 when \
                endorsed, 1 when the transaction is not for --channel or a signature on it \
                does not verify, 2 when the input is unreadable or malformed.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Argument(help: ArgumentHelp("The signed transaction; - for standard input.", valueName: "file"), completion: .file())
        var file: String = "-"

        @Option(name: .long, help: "Refuse a transaction for any other channel (default: $CSP_CHANNEL when set).")
        var channel: String?

        func execute() throws -> ExitStatus {
            let transaction = try SignedTransactionFile.read(file)
            let participant = try Participant(home: global.resolvedHome)
            let body = transaction.body
            if let expected = channel ?? Environment.value("CSP_CHANNEL"), !expected.isEmpty, expected != body.channel {
                throw CommandFailure("transaction \(transaction.id.hex) is for channel \(quoted(body.channel)), not \(quoted(expected))", status: .no)
            }
            let bad = SignatureCheckText.join(SignedTransactionFile.badSignatures(transaction))
            if let bad {
                throw CommandFailure("transaction \(transaction.id.hex): \(bad) signature does not verify: it was changed after signing", status: .no)
            }
            let me = SignedTransactionFile.account(participant.certificate.der)
            if participant.certificate.der == body.creator || SignedTransactionFile.account(body.creator) == me {
                throw CommandFailure("transaction \(transaction.id.hex) is signed by \(quoted(me)) as its creator already", status: .no)
            }
            if transaction.endorsements.contains(where: { $0.certificate == participant.certificate.der || SignedTransactionFile.account($0.certificate) == me }) {
                throw CommandFailure("transaction \(transaction.id.hex) is endorsed by \(quoted(me)) already", status: .no)
            }
            let endorsed: Transaction
            do {
                endorsed = try transaction.endorsed(certificate: participant.certificate.der, key: participant.key)
            } catch let error as FormatError {
                throw CommandFailure("cannot endorse transaction \(transaction.id.hex): \(error.reason)", status: .no)
            }
            if !global.quiet { Diagnostics.note("endorsing \(Decode.summary(transaction))") }
            // The transaction is what this command makes: --quiet drops the note, never it.
            SignedTransactionFile.emit(endorsed, output: Output(format: global.format ?? .json))
            return .success
        }
    }
}

/// "the creator's and endorser 1's ('Acme/bob')" from the list of bad signatures.
enum SignatureCheckText {
    static func join(_ parts: [String]) -> String? {
        switch parts.count {
        case 0: return nil
        case 1: return parts[0]
        default: return parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        }
    }
}
