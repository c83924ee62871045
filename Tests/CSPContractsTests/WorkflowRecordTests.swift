import CSPContracts
import XCTest

/// Order, invoice and feedback: the unified record format, linked to contracts and demands.
final class WorkflowRecordTests: XCTestCase {
    private let alice = Creator(organization: "Acme", id: "alice", role: "customer")
    private let ed = Creator(organization: "Acme", id: "ed", role: "enterprise")

    private func ledger() throws -> WorkflowLedger {
        let ledger = WorkflowLedger()
        for name in ["demand", "service-contract", "order", "invoice", "feedback"] { try ledger.deploy(try shippedDefinition(name)) }
        for creator in [alice, ed] { ledger.register(creator) }
        return ledger
    }

    private func text(_ value: CanonicalJSON.Value?) -> String {
        value.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? "absent"
    }

    func testAnOrderItsInvoiceAndFeedbackLinkUp() throws {
        let ledger = try ledger()
        try ledger.call(ed, "service-contract.draft", ["id": "C1", "customer": "Acme/alice", "title": "t", "terms": "t", "price": "9 CNY"])
        try ledger.call(alice, "demand.submit", ["id": "D1", "category": "request", "description": "more pumps"])
        try ledger.call(alice, "order.place", ["id": "O1", "amount": "300.50 CNY", "payload": #"[{"item":"pump","qty":3}]"#,
                                               "contract": "C1", "demand": "D1"])
        try ledger.call(ed, "order.confirm", ["id": "O1"])
        try ledger.call(ed, "order.deliver", ["id": "O1", "document": fingerprintArgument("delivery.pdf", "3 pumps")])
        try ledger.call(alice, "order.receive", ["id": "O1"])
        let order = try ledger.instance("O1")
        XCTAssertEqual(text(order["state"]), #""received""#)
        XCTAssertEqual(text(order["links"]), #"["C1","D1"]"#)
        XCTAssertEqual(text(order["parties"]), #"{"customer":"Acme/alice","enterprise":"Acme/ed"}"#)

        XCTAssertEqual(ledger.refusal(ed, "invoice.issue", ["id": "I1", "customer": "Acme/alice", "amount": "300.50 CNY",
                                                             "document": fingerprintArgument("invoice.pdf", "i"), "order": "C1"]),
                       "invoice.issue: field 'order' must name an instance of 'order'; 'C1' is not one")
        try ledger.call(ed, "invoice.issue", ["id": "I1", "customer": "Acme/alice", "amount": "300.50 CNY",
                                              "document": fingerprintArgument("invoice.pdf", "i"), "order": "O1", "due": "2026-02-28"])
        XCTAssertEqual(text(try ledger.instance("I1")["operators"]), #"[{"account":"Acme/alice"}]"#)
        try ledger.call(alice, "invoice.pay", ["id": "I1", "document": fingerprintArgument("receipt.pdf", "r")])
        try ledger.call(ed, "invoice.confirm", ["id": "I1"])
        let invoice = try ledger.instance("I1")
        XCTAssertEqual(text(invoice["state"]), #""settled""#)
        XCTAssertEqual(invoice["documents"]?.arrayValue?.count, 2)

        XCTAssertEqual(ledger.refusal(alice, "feedback.record", ["id": "F1", "category": "praise", "payload": "quick", "score": "-0"]),
                       "feedback.record: field 'score' must be a decimal integer, not '-0'")
        XCTAssertEqual(ledger.refusal(alice, "feedback.record", ["id": "F1", "category": "praise", "payload": ""]),
                       "feedback.record: field 'payload' is empty")
        XCTAssertEqual(ledger.refusal(alice, "feedback.record", ["id": "F1", "category": "praise", "payload": String(repeating: "中", count: 16001)]),
                       "feedback.record: field 'payload' is longer than 16000 characters")
        try ledger.call(alice, "feedback.record", ["id": "F1", "category": "praise", "payload": String(repeating: "中", count: 16000),
                                                   "score": "5", "demand": "D1", "order": "O1"])
        try ledger.call(ed, "feedback.acknowledge", ["id": "F1", "reply": "thank you"])
        XCTAssertEqual(text(try ledger.instance("F1")["links"]), #"["D1","O1"]"#)
    }
}
