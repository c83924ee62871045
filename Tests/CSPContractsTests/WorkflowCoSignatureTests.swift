import CSPContracts
import CSPFormat
import XCTest

/// A transition with signers counts the creator and the endorsers of one transaction
/// together (docs/CONTRACTS.md, "Co-signatures").
final class WorkflowCoSignatureTests: XCTestCase {
    private let alice = Creator(organization: "Acme", id: "alice", role: "customer")
    private let ed = Creator(organization: "Acme", id: "ed", role: "enterprise")
    private let dora = Creator(organization: "Acme", id: "dora", role: "enterprise")

    private func drafted() throws -> WorkflowLedger {
        let ledger = WorkflowLedger()
        try ledger.deploy(try shippedDefinition("service-contract"))
        for creator in [alice, ed, dora] { ledger.register(creator) }
        try ledger.call(ed, "service-contract.draft", ["id": "C1", "customer": "Acme/alice", "title": "Pump", "terms": "t", "price": "100 CNY"])
        return ledger
    }

    private func text(_ value: CanonicalJSON.Value?) -> String {
        value.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? "absent"
    }

    func testOneTransactionSignedByBothPutsItInForce() throws {
        let ledger = try drafted()
        let outcome = try ledger.call(ed, "service-contract.sign", ["id": "C1"], endorsers: [alice])
        let contract = try ledger.instance("C1")
        XCTAssertEqual(text(contract["state"]), #""in-force""#)
        XCTAssertEqual(text(contract["signatures"]), "null")
        let entry = try ledger.state.json(ledger.state.keys("wft/C1/").last!)
        XCTAssertEqual(text(entry["signed"]), #"["customer","enterprise"]"#)
        XCTAssertEqual(text(entry["endorsers"]), #"["Acme/alice"]"#)
        XCTAssertEqual(text(entry["by"]), #""Acme/ed""#)
        XCTAssertEqual(outcome.events.map(\.name), ["sign"])
        XCTAssertEqual(outcome.accounts, ["Acme/alice"], "the endorser is among the accounts the call concerns")
        // The customer as creator and the enterprise as endorser: the same.
        let other = try drafted()
        try other.call(alice, "service-contract.sign", ["id": "C1"], endorsers: [ed])
        XCTAssertEqual(text(try other.instance("C1")["state"]), #""in-force""#)
    }

    func testEndorsementsThatDoNotCountAreRefused() throws {
        let ledger = try drafted()
        XCTAssertEqual(ledger.refusal(ed, "service-contract.sign", ["id": "C1"], endorsers: [dora]),
                       "service-contract.sign: endorser 'Acme/dora' is not a signer; 'sign' needs customer (Acme/alice), enterprise (Acme/ed)")
        XCTAssertEqual(ledger.refusal(ed, "service-contract.amend", ["id": "C1", "note": "n"], endorsers: [alice]),
                       "service-contract.amend: unexpected endorser 'Acme/alice': 'amend' takes no co-signatures")
        // After the customer signed alone, a transaction carrying her signature again adds nothing new for her.
        try ledger.call(alice, "service-contract.sign", ["id": "C1"])
        XCTAssertEqual(ledger.refusal(ed, "service-contract.sign", ["id": "C1"], endorsers: [alice]),
                       "service-contract.sign: endorser 'Acme/alice' has signed 'sign' already")
        // The enterprise alone completes it.
        try ledger.call(ed, "service-contract.sign", ["id": "C1"])
        XCTAssertEqual(text(try ledger.instance("C1")["state"]), #""in-force""#)
    }
}
