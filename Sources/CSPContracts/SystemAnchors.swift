import CSPBasics
import CSPFormat

/// The `anchor` contract (docs/CONTRACTS.md, "Anchored fingerprints"): puts the SHA-256
/// fingerprints of off-chain documents on the ledger, with a reference to what they
/// belong to (a demand, a contract, an invoice).
///
/// `record` stores each fingerprint under `anchor/doc/<hex>/<txid>`, so anyone who may
/// read the state finds a file by its hash. `batch` stores only the RFC 6962 root over
/// salted leaves (`anchor/batch/<root>/<txid>`): the chain learns neither which documents
/// nor their fingerprints, and any number of documents costs one transaction; each
/// document's receipt (salt and audit path) proves it was in the batch.
public enum SystemAnchors {
    public static let name = "anchor"
    public static let functions = ["record", "batch"]
    public static let documentPrefix = "anchor/doc/"
    public static let batchPrefix = "anchor/batch/"
    /// One transaction stays well under the 1 MiB argument limit.
    public static let maximumFingerprints = 1000
    /// Far beyond any batch a disk holds; keeps the count a plain integer everywhere.
    public static let maximumBatchCount = 1 << 40
    static let maximumReferenceBytes = 256
    static let maximumTypeBytes = 64

    /// The state key of one anchoring of a document: its fingerprint, then the transaction.
    public static func documentKey(_ fingerprint: String, txid: String) -> [UInt8] {
        Array((documentPrefix + fingerprint + "/" + txid).utf8)
    }

    public static func batchKey(_ root: String, txid: String) -> [UInt8] {
        Array((batchPrefix + root + "/" + txid).utf8)
    }

    public static func execute(_ call: ContractCall, _ state: inout TransactionState) throws -> ContractOutcome {
        switch call.function {
        case "record":
            try call.expect(required: ["fingerprints"], optional: ["ref", "type"])
            let text = try call.text("fingerprints")
            let fingerprints = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fingerprints.count <= maximumFingerprints else {
                throw call.failure("at most \(maximumFingerprints) fingerprints per transaction, not \(fingerprints.count)")
            }
            for fingerprint in fingerprints where !isDigest(fingerprint) {
                throw call.failure("fingerprint \(quoted(String(fingerprint.prefix(70)))) is not 64 lower-case hex digits")
            }
            guard Set(fingerprints).count == fingerprints.count else { throw call.failure("a fingerprint is listed twice") }
            let record = try self.record(call)
            for fingerprint in fingerprints {
                state.write(documentKey(fingerprint, txid: call.transaction.id.hex), record)
            }
            var payload = try described(call)
            payload["count"] = .integer(fingerprints.count)
            return ContractOutcome(events: [ContractEvent(name: "record", payload: CanonicalJSON.encode(.object(payload)))])
        case "batch":
            try call.expect(required: ["root", "count"], optional: ["ref", "type"])
            let root = try call.text("root")
            guard isDigest(root) else { throw call.failure("root \(quoted(String(root.prefix(70)))) is not 64 lower-case hex digits") }
            guard let count = try call.integer("count"), count >= 1, count <= maximumBatchCount else {
                throw call.failure("count must be 1 to \(maximumBatchCount)")
            }
            var members = try SystemRecord(self.record(call))!.members
            members["count"] = .integer(count)
            state.write(batchKey(root, txid: call.transaction.id.hex), CanonicalJSON.encode(.object(members)))
            var payload = try described(call)
            payload["root"] = .string(root)
            payload["count"] = .integer(count)
            return ContractOutcome(events: [ContractEvent(name: "batch", payload: CanonicalJSON.encode(.object(payload)))])
        default:
            throw call.failure("no such function")
        }
    }

    /// What is stored per anchoring: who anchored, when (the block's signed time), and
    /// what the documents belong to.
    private static func record(_ call: ContractCall) throws -> [UInt8] {
        var members = try described(call)
        members["block"] = .integer(Int(call.block.number))
        members["time"] = .integer(Int(call.block.timestamp))
        members["by"] = .string(call.creator.account)
        members["organization"] = .string(call.creator.organization)
        members["role"] = .string(call.creator.role)
        return CanonicalJSON.encode(.object(members))
    }

    private static func described(_ call: ContractCall) throws -> [String: CanonicalJSON.Value] {
        var members: [String: CanonicalJSON.Value] = [:]
        if call.arguments["ref"] != nil {
            let ref = try call.text("ref")
            guard !ref.isEmpty, ref.utf8.count <= maximumReferenceBytes else { throw call.failure("ref must be 1 to \(maximumReferenceBytes) bytes") }
            members["ref"] = .string(ref)
        }
        if call.arguments["type"] != nil {
            let type = try call.text("type")
            guard !type.isEmpty, type.utf8.count <= maximumTypeBytes else { throw call.failure("type must be 1 to \(maximumTypeBytes) bytes") }
            members["type"] = .string(type)
        }
        return members
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
