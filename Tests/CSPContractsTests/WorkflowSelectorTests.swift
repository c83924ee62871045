import CSPContracts
import CSPFormat
import XCTest

/// Selectors the shipped definitions do not exercise, party binding, and calls sharing a block.
final class WorkflowSelectorTests: XCTestCase {
    private let carol = Creator(organization: "Acme", id: "carol", role: "customer")
    private let dora = Creator(organization: "Acme", id: "dora", role: "enterprise")
    private let eve = Creator(organization: "Acme", id: "eve", role: "enterprise")
    private let fixer = Creator(organization: "Acme", id: "fixer", role: "department")

    private let ticket = """
        {"name": "ticket", "version": 1, "organizations": ["Acme"],
         "parties": {"customer": {"role": "customer"}, "desk": {"role": "enterprise", "organization": "Acme"}},
         "fields": {"text": {"type": "string", "max": 100}, "staff": {"type": "accounts", "role": "department"}},
         "states": ["open", "working", "closed"], "initial": "open", "final": ["closed"],
         "transitions": {
           "open": {"from": [], "to": "open", "by": [{"role": "customer"}], "bind": ["customer"], "requires": ["text"],
                    "operators": [{"role": "enterprise", "organization": "Acme"}], "deadline": "30m"},
           "take": {"from": ["open", "working"], "to": "working", "by": [{"role": "enterprise"}], "bind": ["desk"], "optional": ["staff"],
                    "operators": [{"field": "staff"}, {"party": "desk"}], "deadline": "2h"},
           "close": {"from": ["working"], "to": "closed", "by": [{"operator": true}]}}}
        """

    private func ledger() throws -> WorkflowLedger {
        let ledger = WorkflowLedger()
        try ledger.deploy(Array(ticket.utf8))
        for creator in [carol, dora, eve, fixer] { ledger.register(creator) }
        return ledger
    }

    func testTheCurrentOperatorsMayFireAndAPartyIsNeverRebound() throws {
        let ledger = try ledger()
        try ledger.call(carol, "ticket.open", ["id": "T1", "text": "help"])
        XCTAssertEqual(ledger.state.keys("todo/").count, 1)
        XCTAssertEqual(ledger.state.keys("todo/").first?.hasPrefix("todo/r/enterprise/Acme/"), true)
        try ledger.call(dora, "ticket.take", ["id": "T1", "staff": #"["Acme/fixer"]"#])
        let due = ledger.time + 7_200_000
        let hex = String(due, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        XCTAssertEqual(ledger.state.keys("todo/"), ["todo/a/Acme/dora/\(padded)/T1", "todo/a/Acme/fixer/\(padded)/T1"])
        XCTAssertEqual(ledger.refusal(eve, "ticket.take", ["id": "T1"]), "ticket.take: party 'desk' is 'Acme/dora' already")
        XCTAssertEqual(ledger.refusal(carol, "ticket.close", ["id": "T1"]),
                       "ticket.close: 'Acme/carol' (role customer of Acme) may not fire it in state 'working'; from 'working': close (the current operators: Acme/dora, Acme/fixer), take (role enterprise)")
        try ledger.call(fixer, "ticket.close", ["id": "T1"])
        XCTAssertEqual(ledger.state.keys("todo/"), [])
    }

    /// Transactions of one block see the writes of the block's earlier valid ones.
    func testCallsInOneBlockReadEachOthersWrites() throws {
        let ledger = try ledger()
        let block = BlockState(base: ledger.state)
        func run(_ creator: Creator, _ function: String, _ arguments: [String: String], _ position: Int) throws -> [StateWrite] {
            let body = try TransactionBody(channel: "consortium", timestamp: 5, nonce: [UInt8(position)], creator: [], contract: "ticket",
                                           function: function, arguments: arguments.map { TransactionArgument(name: $0.key, text: $0.value) })
            let call = ContractCall(transaction: Transaction(body: body, signature: [0]), creator: creator,
                                    block: BlockContext(number: 3, timestamp: 1_000), position: position)
            var state = TransactionState(block: block)
            _ = try WorkflowEngine.execute(call, &state)
            block.apply(state.writes)
            return state.writes
        }
        _ = try run(carol, "open", ["id": "T1", "text": "x"], 0)
        let writes = try run(dora, "take", ["id": "T1"], 1)
        // The instance, timeline entry 1, the old role entry deleted, the desk's entry written.
        XCTAssertEqual(writes.map { String(decoding: $0.key, as: UTF8.self) },
                       ["wf/T1", "wft/T1/0000000001", "todo/r/enterprise/Acme/\(String(repeating: "0", count: 10))1b7b28/T1",
                        "todo/a/Acme/dora/\(String(repeating: "0", count: 10))6de0e8/T1"])
        XCTAssertNil(writes[2].value)
        XCTAssertEqual(writes[3].value, [])
    }
}
