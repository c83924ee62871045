import CSPBasics
import CSPCLI
import CSPCertificates
import CSPFormat
import Foundation

/// A signed transaction between commands (`--sign-only`, `endorse`, `submit --signed`):
/// one base64 line, or the JSON object {"txid":…,"tx":…} that `--format json` prints.
enum SignedTransactionFile {
    static func read(_ file: String) throws -> Transaction {
        let text = try FileIO.readText(file, limit: 8 << 20).trimmingCharacters(in: .whitespacesAndNewlines)
        let base64 = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["tx"] as? String ?? text
        guard let bytes = Data(base64Encoded: base64) else { throw CommandFailure("\(quoted(file)) holds no base64 signed transaction") }
        do {
            return try Transaction(decoding: Array(bytes))
        } catch {
            throw CommandFailure("\(quoted(file)): \(error)")
        }
    }

    /// txid and tx (base64), and the accounts that endorsed it when any did; text: the base64 alone.
    static func emit(_ transaction: Transaction, output: Output) {
        let encoded = Data(transaction.encoded()).base64EncodedString()
        var json: [String: JSONValue] = ["txid": .string(transaction.id.hex), "tx": .string(encoded)]
        if !transaction.endorsements.isEmpty {
            json["endorsers"] = .array(transaction.endorsements.map { .string(account($0.certificate)) })
        }
        output.emit(json: json, text: encoded)
    }

    /// ORGANIZATION/ID as the certificate names it ("?" for one that does not parse).
    static func account(_ der: [UInt8]) -> String {
        guard let certificate = try? Certificate(der: der) else { return "?" }
        let organization = (try? certificate.identity)??.organization ?? certificate.subject.organization ?? ""
        return "\(organization)/\(certificate.subject.commonName)"
    }

    /// Which signatures fail to verify with their certificates' keys (low-S, over the id):
    /// "the creator's", "endorser 2 ('Org/id')"; empty when all hold. Whether the
    /// certificates are admitted is the node's question.
    static func badSignatures(_ transaction: Transaction) -> [String] {
        func verifies(_ signature: [UInt8], _ der: [UInt8]) -> Bool {
            guard let key = try? Certificate(der: der).publicKey else { return false }
            return (try? key.isValidLowSSignature(signature, digest: transaction.id)) ?? false
        }
        var bad: [String] = []
        if !verifies(transaction.signature, transaction.body.creator) { bad.append("the creator's") }
        for (index, endorsement) in transaction.endorsements.enumerated() where !verifies(endorsement.signature, endorsement.certificate) {
            bad.append("endorser \(index + 1)'s (\(quoted(account(endorsement.certificate))))")
        }
        return bad
    }
}
