import CSPContracts
import CSPFormat
import XCTest

/// Upgrades: instances keep the version they started with, unless the new version says
/// how to migrate them; then the next call on an instance moves it.
final class WorkflowMigrationTests: XCTestCase {
    private let carol = Creator(organization: "Acme", id: "carol", role: "customer")
    private let dora = Creator(organization: "Acme", id: "dora", role: "enterprise")

    private func ticket(version: Int, states: [String], extra: String = "", migrate: String? = nil) -> [UInt8] {
        let list = states.map { "\"\($0)\"" }.joined(separator: ", ")
        let migration = migrate.map { #", "migrate": \#($0)"# } ?? ""
        return Array("""
            {"name": "ticket", "version": \(version), "organizations": ["Acme"],
             "parties": {"customer": {"role": "customer"}}, "fields": {},
             "states": [\(list)], "initial": "\(states[0])", "final": ["closed"],
             "transitions": {
               "open": {"from": [], "to": "\(states[0])", "by": [{"role": "customer"}], "bind": ["customer"]},
               \(extra)
               "close": {"from": ["\(states[0])"], "to": "closed", "by": [{"role": "enterprise"}]}}\(migration)}
            """.utf8)
    }

    func testInstancesStayOnTheirVersionUnlessTheNewOneMigratesThem() throws {
        let ledger = WorkflowLedger()
        for creator in [carol, dora] { ledger.register(creator) }
        try ledger.deploy(ticket(version: 1, states: ["open", "closed"]))
        try ledger.call(carol, "ticket.open", ["id": "T1"])
        try ledger.call(carol, "ticket.open", ["id": "T2"])

        // Version 2 without "migrate": T1 stays on version 1 and its rules.
        try ledger.deploy(ticket(version: 2, states: ["new", "closed"]))
        try ledger.call(dora, "ticket.close", ["id": "T1"])
        XCTAssertEqual(try ledger.instance("T1")["version"]?.integerValue, 1)

        // Version 3 migrates version 1, renaming "open" to "new".
        try ledger.deploy(ticket(version: 3, states: ["new", "closed"], migrate: #"{"from": [1], "states": {"open": "new"}}"#))
        let outcome = try ledger.call(dora, "ticket.close", ["id": "T2"])
        let instance = try ledger.instance("T2")
        XCTAssertEqual(instance["version"]?.integerValue, 3)
        XCTAssertEqual(instance["state"]?.stringValue, "closed")
        let entry = try ledger.state.json("wft/T2/0000000001")
        XCTAssertEqual(entry["from"]?.stringValue, "new", "the renamed state")
        XCTAssertEqual(entry["migrated"], .object(["version": .integer(1), "state": .string("open")]))
        let payload = try CanonicalJSON.parse(try XCTUnwrap(outcome.events.first).payload)
        XCTAssertEqual(payload["migrated"], .object(["version": .integer(1), "state": .string("open")]))
    }

    func testAMigrationThatLeavesAStateUnmappedIsRefusedWithoutChanges() throws {
        let ledger = WorkflowLedger()
        for creator in [carol, dora] { ledger.register(creator) }
        try ledger.deploy(ticket(version: 1, states: ["open", "closed"]))
        try ledger.call(carol, "ticket.open", ["id": "T1"])
        try ledger.deploy(ticket(version: 2, states: ["new", "closed"], migrate: #"{"from": [1], "states": {}}"#))
        XCTAssertEqual(ledger.refusal(dora, "ticket.close", ["id": "T1"]),
                       #"ticket.close: instance 'T1' cannot move from version 1 to 2: state 'open' is not a state of version 2 and its "migrate" does not map it"#)
    }

    func testMigrateIsValidated() {
        for (migrate, problem) in [
            (#"{"from": [2], "states": {}}"#, #"migrate: "from" must list distinct earlier versions (1 to 1)"#),
            (#"{"from": [], "states": {}}"#, #"migrate: "from" must list at least one earlier version"#),
            (#"{"from": [1], "states": {"open": "limbo"}}"#, "migrate: state 'open' must map to a declared state"),
            (#"{"from": [1], "states": {}, "how": 1}"#, "migrate: unknown key 'how'"),
        ] {
            XCTAssertThrowsError(try WorkflowDefinition(json: ticket(version: 2, states: ["new", "closed"], migrate: migrate))) { error in
                XCTAssertEqual(String(describing: error), problem)
            }
        }
    }
}
