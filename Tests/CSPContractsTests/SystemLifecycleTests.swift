import CSPContracts
import CSPCrypto
import CSPFormat
import XCTest

final class SystemLifecycleTests: XCTestCase {
    private let acmeAdmin = Creator(organization: "Acme", id: "root", role: "admin")
    private let betaAdmin = Creator(organization: "Beta", id: "boss", role: "admin")
    private let gammaAdmin = Creator(organization: "Gamma", id: "boss", role: "admin")
    private let desk = Creator(organization: "Acme", id: "desk", role: "enterprise")
    private var caller: SystemCaller!

    override func setUp() {
        caller = SystemCaller { call, state in
            try SystemLifecycle.execute(call, organizations: ["Acme", "Beta", "Gamma"], reserved: ["kv", "config", "account", "contract"], &state)
        }
    }

    /// A small definition both Acme and Beta must approve; `note` varies the document.
    static func ticket(version: Int = 1, organizations: [String] = ["Acme", "Beta"], note: Int = 100) -> String {
        let names = organizations.map { "\"\($0)\"" }.joined(separator: ",")
        return """
        {"name": "ticket", "version": \(version), "organizations": [\(names)],
         "parties": {"customer": {"role": "customer"}},
         "fields": {"note": {"type": "string", "max": \(note)}},
         "states": ["open", "closed"], "initial": "open", "final": ["closed"],
         "transitions": {
           "open": {"from": [], "to": "open", "by": [{"role": "customer"}], "bind": ["customer"], "requires": ["note"]},
           "close": {"from": ["open"], "to": "closed", "by": [{"party": "customer"}]}}}
        """
    }

    static func hash(_ json: String) throws -> String { try WorkflowDefinition(json: Array(json.utf8)).hash.hex }

    private func record(_ version: Int) throws -> CanonicalJSON.Value {
        try CanonicalJSON.parse(try XCTUnwrap(caller.state.values[SystemLifecycle.definitionKey("ticket", version: version)]))
    }

    func testProposeApproveActivate() throws {
        let json = Self.ticket()
        let hash = try Self.hash(json)
        let proposed = try caller.success(acmeAdmin, "contract", "propose", ["definition": json])
        XCTAssertEqual(proposed.events, [ContractEvent(name: "propose", payload: Array(#"{"hash":"\#(hash)","name":"ticket","version":1}"#.utf8))])
        let canonical = systemText(try WorkflowDefinition(json: Array(json.utf8)).canonicalJSON)
        XCTAssertEqual(caller.state.text("contract/def/ticket/1"),
                       #"{"approvals":{},"definition":\#(canonical),"hash":"\#(hash)","name":"ticket","proposed":{"block":5,"by":"Acme/root","time":1700000000000},"status":"proposed","version":1}"#)
        XCTAssertNil(caller.state.text("contract/active/ticket"))

        let first = try caller.success(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash])
        XCTAssertEqual(first.events.map(\.name), ["approve"])
        XCTAssertEqual(systemText(first.events[0].payload), #"{"hash":"\#(hash)","name":"ticket","organization":"Acme","version":1}"#)
        XCTAssertNil(caller.state.text("contract/active/ticket"), "one of two organisations approved: not active")
        XCTAssertEqual(try record(1)["status"], .string("proposed"))

        caller.block = BlockContext(number: 6, timestamp: 1_700_000_100_000)
        let second = try caller.success(betaAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash])
        XCTAssertEqual(second.events.map(\.name), ["approve", "activate"])
        XCTAssertEqual(systemText(second.events[1].payload), #"{"hash":"\#(hash)","name":"ticket","version":1}"#)
        XCTAssertEqual(caller.state.text("contract/active/ticket"), #"{"hash":"\#(hash)","version":1}"#)
        let active = try record(1)
        XCTAssertEqual(active["status"], .string("active"))
        XCTAssertEqual(active["approvals"], .object([
            "Acme": .object(["block": .integer(5), "time": .integer(1_700_000_000_000), "by": .string("Acme/root")]),
            "Beta": .object(["block": .integer(6), "time": .integer(1_700_000_100_000), "by": .string("Beta/boss")]),
        ]))
        XCTAssertEqual(try caller.failure(betaAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash]),
                       "contract.approve: version 1 of 'ticket' is active, not proposed")
    }

    func testApprovalRefusals() throws {
        let json = Self.ticket()
        let hash = try Self.hash(json)
        try caller.success(acmeAdmin, "contract", "propose", ["definition": json])
        let wrong = try Self.hash(Self.ticket(note: 200))
        XCTAssertEqual(try caller.failure(betaAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": wrong]),
                       "contract.approve: hash '\(wrong)' is not the hash of version 1 of 'ticket' (\(hash))")
        XCTAssertEqual(try caller.failure(gammaAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash]),
                       "contract.approve: only role 'admin' of an organization the definition names (Acme, Beta) may approve 'ticket'")
        XCTAssertEqual(try caller.failure(desk, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash]),
                       "contract.approve: only role 'admin' of an organization the definition names (Acme, Beta) may approve 'ticket'")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "2", "hash": hash]),
                       "contract.approve: contract 'ticket' has no version 2")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "0", "hash": hash]),
                       "contract.approve: argument 'version' must be an integer of at least 1")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "approve", ["name": "../x", "version": "1", "hash": hash]),
                       "contract.approve: '../x' is not a contract name (1-32 of a-z 0-9 '-', starting with a letter)")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "1"]),
                       "contract.approve: missing argument 'hash'")
        try caller.success(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash])
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": hash]),
                       "contract.approve: organization 'Acme' has approved version 1 of 'ticket' already")
    }

    func testProposalRefusals() throws {
        XCTAssertEqual(try caller.failure(desk, "contract", "propose", ["definition": Self.ticket()]),
                       "contract.propose: only role 'admin' of an organization the definition names (Acme, Beta) may propose 'ticket'")
        XCTAssertEqual(try caller.failure(gammaAdmin, "contract", "propose", ["definition": Self.ticket()]),
                       "contract.propose: only role 'admin' of an organization the definition names (Acme, Beta) may propose 'ticket'")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "propose", ["definition": Self.ticket(organizations: ["Acme", "Delta"])]),
                       "contract.propose: the definition names organization 'Delta', which is not a member of the channel")
        XCTAssertTrue(try caller.failure(acmeAdmin, "contract", "propose", ["definition": "{"]).hasPrefix("contract.propose: invalid definition: "))
        let unreachable = Self.ticket().replacingOccurrences(of: #""states": ["open", "closed"]"#, with: #""states": ["open", "closed", "lost"]"#)
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "propose", ["definition": unreachable]),
                       "contract.propose: invalid definition: state 'lost' is not reachable from the initial state 'open'")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "propose", [:]), "contract.propose: missing argument 'definition'")
        try caller.success(acmeAdmin, "contract", "propose", ["definition": Self.ticket()])
        XCTAssertEqual(try caller.failure(betaAdmin, "contract", "propose", ["definition": Self.ticket(note: 5)]),
                       "contract.propose: version 1 of 'ticket' was proposed already")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "upgrade", ["definition": Self.ticket(version: 2)]),
                       "contract.upgrade: contract 'ticket' has no active version: use contract.propose")
    }

    private func activate(_ json: String) throws {
        let hash = try Self.hash(json)
        let version = try WorkflowDefinition(json: Array(json.utf8)).version
        for admin in [acmeAdmin, betaAdmin] {
            try caller.success(admin, "contract", "approve", ["name": "ticket", "version": String(version), "hash": hash])
        }
    }

    func testUpgrade() throws {
        let first = Self.ticket()
        try caller.success(acmeAdmin, "contract", "propose", ["definition": first])
        try activate(first)
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "propose", ["definition": Self.ticket(version: 2)]),
                       "contract.propose: contract 'ticket' has active version 1: use contract.upgrade")
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "upgrade", ["definition": Self.ticket(version: 1, note: 7)]),
                       "contract.upgrade: version 1 of 'ticket' is not higher than the active version 1")

        let second = Self.ticket(version: 2, note: 500)
        let upgraded = try caller.success(betaAdmin, "contract", "upgrade", ["definition": second])
        XCTAssertEqual(upgraded.events.map(\.name), ["upgrade"])
        // Approved by one organisation only: version 1 stays active, 2 proposed.
        try caller.success(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "2", "hash": try Self.hash(second)])
        XCTAssertEqual(try record(2)["status"], .string("proposed"))
        XCTAssertEqual(caller.state.text("contract/active/ticket"), #"{"hash":"\#(try Self.hash(first))","version":1}"#)
        // Then by both: 2 active, 1 superseded.
        try caller.success(betaAdmin, "contract", "approve", ["name": "ticket", "version": "2", "hash": try Self.hash(second)])
        XCTAssertEqual(try record(2)["status"], .string("active"))
        XCTAssertEqual(try record(1)["status"], .string("superseded"))
        XCTAssertEqual(caller.state.text("contract/active/ticket"), #"{"hash":"\#(try Self.hash(second))","version":2}"#)
    }

    func testAnOlderProposalCannotOvertakeTheActiveVersion() throws {
        // Versions 1 and 2 proposed side by side; 2 activates first.
        try caller.success(acmeAdmin, "contract", "propose", ["definition": Self.ticket()])
        try caller.success(acmeAdmin, "contract", "propose", ["definition": Self.ticket(version: 2)])
        try activate(Self.ticket(version: 2))
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "approve", ["name": "ticket", "version": "1", "hash": try Self.hash(Self.ticket())]),
                       "contract.approve: version 1 of 'ticket' is not newer than the active version 2")
    }

    func testBuiltinNamesAreReserved() throws {
        let caller = SystemCaller { call, state in
            try SystemLifecycle.execute(call, organizations: ["Acme", "Beta"], reserved: ["ticket"], &state)
        }
        XCTAssertEqual(try caller.failure(acmeAdmin, "contract", "propose", ["definition": Self.ticket()]),
                       "contract.propose: 'ticket' is the name of a built-in contract")
    }
}
