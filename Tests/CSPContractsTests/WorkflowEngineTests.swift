import CSPContracts
import CSPCrypto
import CSPFormat
import XCTest

final class WorkflowEngineTests: XCTestCase {
    private let alice = Creator(organization: "Acme", id: "alice", role: "customer")
    private let dora = Creator(organization: "Acme", id: "dora", role: "enterprise")        // the service desk
    private let ed = Creator(organization: "Acme", id: "ed", role: "enterprise")            // drafts contracts
    private let production = Creator(organization: "Acme", id: "production", role: "department")
    private let quality = Creator(organization: "Acme", id: "quality", role: "department")
    private let rita = Creator(organization: "Acme", id: "rita", role: "regulator")
    private let mallory = Creator(organization: "Beta", id: "mallory", role: "enterprise")

    private func ledger() throws -> WorkflowLedger {
        let ledger = WorkflowLedger()
        for name in ["demand", "service-contract"] { try ledger.deploy(try shippedDefinition(name)) }
        for creator in [alice, dora, ed, production, quality, rita, mallory] { ledger.register(creator) }
        return ledger
    }

    private func text(_ value: CanonicalJSON.Value?) -> String {
        value.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? "absent"
    }

    private func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    func testDemandHappyPathAndItsRefusals() throws {
        let ledger = try ledger()
        let attachment = fingerprintArgument("photo.jpg", "a broken part")
        var outcome = try ledger.call(alice, "demand.submit", ["id": "D1", "category": "complaint", "description": "the pump leaks",
                                                               "attachment": attachment])
        var demand = try ledger.instance("D1")
        XCTAssertEqual(text(demand["state"]), #""submitted""#)
        XCTAssertEqual(text(demand["parties"]), #"{"customer":"Acme/alice"}"#)
        XCTAssertEqual(text(demand["operators"]), #"[{"organization":"Acme","role":"enterprise"}]"#)
        let due = ledger.time + 86_400_000
        XCTAssertEqual(demand["deadline"], .integer(Int(due)))
        XCTAssertEqual(text(demand["documents"]),
                       #"[{"field":"attachment","name":"photo.jpg","sha256":"\#(SHA256.hash(Array("a broken part".utf8)).hex)","size":13}]"#)
        XCTAssertEqual(ledger.state.keys("todo/"), ["todo/r/enterprise/Acme/\(hex16(due))/D1"])
        XCTAssertEqual(outcome.accounts, [])
        XCTAssertEqual(outcome.events.map(\.name), ["submit"])
        XCTAssertEqual(String(decoding: outcome.events[0].payload, as: UTF8.self),
                       #"{"by":"Acme/alice","deadline":\#(due),"definition":"demand","from":null,"id":"D1","operators":[{"organization":"Acme","role":"enterprise"}],"parties":{"customer":"Acme/alice"},"signatures":null,"to":"submitted","transition":"submit"}"#)
        let entry = try ledger.state.json("wft/D1/0000000000")
        XCTAssertEqual(text(entry["from"]), "null")
        XCTAssertEqual(text(entry["to"]), #""submitted""#)
        XCTAssertEqual(text(entry["by"]), #""Acme/alice""#)
        XCTAssertEqual(text(entry["fields"]?["category"]), #""complaint""#)

        // Refusals name the state, what may happen from it, and who may do it.
        let allowed = "from 'submitted': accept (role enterprise of Acme), escalate (role regulator), reject (role enterprise of Acme)"
        XCTAssertEqual(ledger.refusal(dora, "demand.resolve", ["id": "D1", "resolution": "done"]),
                       "demand.resolve: not allowed in state 'submitted'; \(allowed)")
        XCTAssertEqual(ledger.refusal(alice, "demand.accept", ["id": "D1"]),
                       "demand.accept: 'Acme/alice' (role customer of Acme) may not fire it in state 'submitted'; \(allowed)")
        XCTAssertEqual(ledger.refusal(mallory, "demand.accept", ["id": "D1"]),
                       "demand.accept: 'Beta/mallory' (role enterprise of Beta) may not fire it in state 'submitted'; \(allowed)")
        XCTAssertEqual(ledger.refusal(alice, "demand.close", ["id": "D1"]),
                       "demand.close: no transition 'close' in state 'submitted'; \(allowed)")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D1", "category": "request", "description": "again"]),
                       "demand.submit: instance 'D1' already exists")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D2", "category": "request"]),
                       "demand.submit: missing argument 'description'")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D2", "category": "request", "description": "x", "colour": "red"]),
                       "demand.submit: unexpected argument 'colour'")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D2", "category": "rant", "description": "x"]),
                       "demand.submit: field 'category' must be one of complaint, request, consultation, repair, suggestion, not 'rant'")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D2", "category": "request", "description": "x", "attachment": "{}"]),
                       "demand.submit: field 'attachment' must be a fingerprint {\"name\",\"sha256\",\"size\"}: a name of 1-255 bytes, 64 lower-case hex digits, a size ≥ 0")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "no/slash", "category": "request", "description": "x"]),
                       "demand.submit: id 'no/slash' must be 1-64 of A-Z a-z 0-9 '-' '_' '.'")
        XCTAssertEqual(ledger.refusal(alice, "demand.accept", ["id": "D9"]), "demand.accept: no instance 'D9'")

        // The desk accepts: its turn becomes the desk member's.
        outcome = try ledger.call(dora, "demand.accept", ["id": "D1"])
        demand = try ledger.instance("D1")
        XCTAssertEqual(text(demand["parties"]), #"{"customer":"Acme/alice","desk":"Acme/dora"}"#)
        XCTAssertEqual(text(demand["operators"]), #"[{"account":"Acme/dora"}]"#)
        XCTAssertEqual(ledger.state.keys("todo/"), ["todo/a/Acme/dora/\(hex16(ledger.time + 86_400_000))/D1"])
        XCTAssertEqual(outcome.accounts, ["Acme/alice"])

        // Dispatch: departments must be registered accounts of role department.
        XCTAssertEqual(ledger.refusal(dora, "demand.dispatch", ["id": "D1", "departments": #"["Acme/ghost"]"#]),
                       "demand.dispatch: field 'departments' names 'Acme/ghost', which is not a registered account")
        XCTAssertEqual(ledger.refusal(dora, "demand.dispatch", ["id": "D1", "departments": #"["Acme/alice"]"#]),
                       "demand.dispatch: field 'departments' names 'Acme/alice', whose role is 'customer', not 'department'")
        XCTAssertEqual(ledger.refusal(dora, "demand.dispatch", ["id": "D1", "departments": "Acme/production"]),
                       "demand.dispatch: field 'departments' must be a JSON array of 1 to 64 accounts")
        XCTAssertEqual(ledger.refusal(ed, "demand.dispatch", ["id": "D1", "departments": #"["Acme/production"]"#]),
                       "demand.dispatch: 'Acme/ed' (role enterprise of Acme) may not fire it in state 'accepted'; from 'accepted': dispatch (party desk, Acme/dora), escalate (role regulator)")
        outcome = try ledger.call(dora, "demand.dispatch", ["id": "D1", "departments": #"["Acme/production","Acme/quality"]"#])
        XCTAssertEqual(text(try ledger.instance("D1")["operators"]), #"[{"account":"Acme/production"},{"account":"Acme/quality"}]"#)
        XCTAssertEqual(outcome.accounts, ["Acme/alice", "Acme/production", "Acme/quality"])
        XCTAssertEqual(ledger.state.keys("todo/").count, 2)

        // Each department records its own result.
        XCTAssertEqual(ledger.refusal(alice, "demand.handle", ["id": "D1", "result": "mine"]),
                       "demand.handle: 'Acme/alice' (role customer of Acme) may not fire it in state 'dispatched'; from 'dispatched': dispatch (party desk, Acme/dora), escalate (role regulator), handle (field departments, Acme/production, Acme/quality), resolve (party desk, Acme/dora)")
        try ledger.call(production, "demand.handle", ["id": "D1", "result": "replaced the seal", "report": fingerprintArgument("seal.pdf", "report")])
        try ledger.call(quality, "demand.handle", ["id": "D1", "result": "pressure test passed"])
        demand = try ledger.instance("D1")
        XCTAssertEqual(text(demand["fields"]?["result"]), #"{"Acme/production":"replaced the seal","Acme/quality":"pressure test passed"}"#)
        XCTAssertEqual(text(demand["operators"]), #"[{"account":"Acme/dora"},{"account":"Acme/production"},{"account":"Acme/quality"}]"#)

        try ledger.call(dora, "demand.resolve", ["id": "D1", "resolution": "seal replaced and tested"])
        XCTAssertEqual(text(try ledger.instance("D1")["operators"]), #"[{"account":"Acme/alice"}]"#)
        // The customer reopens, the desk dispatches again, and resolves.
        try ledger.call(alice, "demand.reopen", ["id": "D1", "reason": "it leaks again"])
        XCTAssertEqual(text(try ledger.instance("D1")["state"]), #""accepted""#)
        try ledger.call(dora, "demand.dispatch", ["id": "D1", "departments": #"["Acme/production"]"#])
        try ledger.call(production, "demand.handle", ["id": "D1", "result": "new pump fitted"])
        XCTAssertEqual(ledger.refusal(quality, "demand.handle", ["id": "D1", "result": "late"]).hasPrefix(
            "demand.handle: 'Acme/quality' (role department of Acme) may not fire it in state 'dispatched'"), true)
        try ledger.call(dora, "demand.resolve", ["id": "D1", "resolution": "pump replaced"])
        XCTAssertEqual(ledger.refusal(alice, "demand.confirm", ["id": "D1", "score": "6"]),
                       "demand.confirm: field 'score' must be at most 5, not 6")
        XCTAssertEqual(ledger.refusal(alice, "demand.confirm", ["id": "D1", "score": "05"]),
                       "demand.confirm: field 'score' must be a decimal integer, not '05'")
        outcome = try ledger.call(alice, "demand.confirm", ["id": "D1", "score": "4", "comment": "thanks"])
        demand = try ledger.instance("D1")
        XCTAssertEqual(text(demand["state"]), #""closed""#)
        XCTAssertEqual(text(demand["operators"]), "[]")
        XCTAssertEqual(text(demand["deadline"]), "null")
        XCTAssertEqual(text(demand["fields"]?["score"]), "4")
        XCTAssertEqual(text(demand["fields"]?["result"]), #"{"Acme/production":"new pump fitted","Acme/quality":"pressure test passed"}"#)
        XCTAssertEqual(ledger.state.keys("todo/"), [], "a closed demand is nobody's work")
        XCTAssertEqual(outcome.accounts, ["Acme/dora"])
        XCTAssertEqual(ledger.refusal(rita, "demand.escalate", ["id": "D1", "escalation": "late"]),
                       "demand.escalate: not allowed in state 'closed'; from 'closed': none")

        // The timeline: one entry per transition, numbered from 0.
        let timeline = ledger.state.keys("wft/D1/")
        XCTAssertEqual(timeline.count, 11)
        XCTAssertEqual(timeline.last, "wft/D1/0000000010")
        XCTAssertEqual(demand["timeline"], .integer(11))
        let last = try ledger.state.json(timeline.last!)
        XCTAssertEqual(text(last["transition"]), #""confirm""#)
        XCTAssertEqual(text(last["from"]), #""resolved""#)
        XCTAssertEqual(text(last["fields"]), #"{"comment":"thanks","score":4}"#)
        XCTAssertEqual(last["block"], .integer(Int(ledger.block) - 1), "the block before the refused escalation")
    }

    func testTheRegulatorEscalatesAnOpenDemand() throws {
        let ledger = try ledger()
        try ledger.call(alice, "demand.submit", ["id": "D2", "category": "request", "description": "call me"])
        XCTAssertEqual(ledger.refusal(dora, "demand.escalate", ["id": "D2", "escalation": "x"]).hasPrefix(
            "demand.escalate: 'Acme/dora' (role enterprise of Acme) may not fire it in state 'submitted'"), true)
        try ledger.call(rita, "demand.escalate", ["id": "D2", "escalation": "no answer in a day"])
        let demand = try ledger.instance("D2")
        XCTAssertEqual(text(demand["state"]), #""escalated""#)
        // The desk party is not bound yet: the role is whose turn it is.
        XCTAssertEqual(text(demand["operators"]), #"[{"organization":"Acme","role":"enterprise"}]"#)
        try ledger.call(dora, "demand.accept", ["id": "D2"])
        XCTAssertEqual(text(try ledger.instance("D2")["state"]), #""accepted""#)
    }

    func testReferencesAreCheckedAndLinked() throws {
        let ledger = try ledger()
        try ledger.call(alice, "demand.submit", ["id": "D1", "category": "request", "description": "x"])
        try ledger.call(ed, "service-contract.draft", ["id": "C1", "customer": "Acme/alice", "title": "Pump", "terms": "t", "price": "1.00 CNY"])
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D2", "category": "request", "description": "x", "contract": "D1"]),
                       "demand.submit: field 'contract' must name an instance of 'service-contract'; 'D1' is not one")
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "D2", "category": "request", "description": "x", "contract": "C9"]),
                       "demand.submit: field 'contract' names no instance: 'C9'")
        try ledger.call(alice, "demand.submit", ["id": "D2", "category": "request", "description": "x", "contract": "C1"])
        XCTAssertEqual(text(try ledger.instance("D2")["links"]), #"["C1"]"#)
        // An id is unique channel-wide, across definitions.
        XCTAssertEqual(ledger.refusal(alice, "demand.submit", ["id": "C1", "category": "request", "description": "x"]),
                       "demand.submit: instance 'C1' already exists")
        XCTAssertEqual(ledger.refusal(dora, "demand.accept", ["id": "C1"]),
                       "demand.accept: instance 'C1' is a 'service-contract', not a 'demand'")
    }

    /// Definitions are cached across calls, channels and threads, but a call always runs
    /// the definition its own state holds: two channels with different bytes under the
    /// same name and version, called in turn, each get their own.
    func testEachChannelRunsTheDefinitionItsStateHolds() throws {
        let shipped = try ledger()
        let renamed = WorkflowLedger()
        let text = String(decoding: try shippedDefinition("demand"), as: UTF8.self)
        try renamed.deploy(Array(text.replacingOccurrences(of: #""submit": {"#, with: #""lodge": {"#).utf8))
        renamed.register(alice)
        for round in 0..<3 {
            XCTAssertEqual(try shipped.call(alice, "demand.submit", ["id": "S\(round)", "category": "complaint", "description": "x"]).events.map(\.name),
                           ["submit"])
            XCTAssertEqual(renamed.refusal(alice, "demand.submit", ["id": "R\(round)"]),
                           "demand.submit: no transition 'submit'; to create an instance: lodge (role customer)")
            XCTAssertEqual(try renamed.call(alice, "demand.lodge", ["id": "L\(round)", "category": "complaint", "description": "x"]).events.map(\.name),
                           ["lodge"])
            XCTAssertEqual(shipped.refusal(alice, "demand.lodge", ["id": "T\(round)"]),
                           "demand.lodge: no transition 'lodge'; to create an instance: submit (role customer)")
        }
    }

    func testAnUnknownContractIsNotAContractFailure() throws {
        let ledger = try ledger()
        XCTAssertThrowsError(try ledger.call(alice, "lottery.play", ["id": "L1"])) { error in
            XCTAssertEqual(error as? UnknownContract, UnknownContract("no contract 'lottery'"))
        }
    }

    func testADeregisteredDepartmentCannotBeDispatchedTo() throws {
        let ledger = try ledger()
        ledger.register(quality, status: "deregistered")
        try ledger.call(alice, "demand.submit", ["id": "D1", "category": "request", "description": "x"])
        try ledger.call(dora, "demand.accept", ["id": "D1"])
        XCTAssertEqual(ledger.refusal(dora, "demand.dispatch", ["id": "D1", "departments": #"["Acme/quality"]"#]),
                       "demand.dispatch: field 'departments' names 'Acme/quality', which is deregistered")
    }

    /// Scenario 4.1 to its end, with the refusals on the way.
    func testServiceContractHappyPathAndItsRefusals() throws {
        let ledger = try ledger()
        let draft = ["id": "C1", "customer": "Acme/alice", "title": "Pump station", "terms": "Design, build and install.",
                     "price": "120000.00 CNY", "due": "2026-06-30"]
        XCTAssertEqual(ledger.refusal(alice, "service-contract.draft", draft),
                       "service-contract.draft: 'Acme/alice' (role customer of Acme) may not fire it to create an instance; to create an instance: draft (role enterprise of Acme)")
        for (field, bad, problem) in [
            ("price", "120,000 CNY", "must be an amount like \"1234.50 CNY\" (at most 2 decimals, a 3-letter currency), not '120,000 CNY'"),
            ("price", "1.234 CNY", "must be an amount like \"1234.50 CNY\" (at most 2 decimals, a 3-letter currency), not '1.234 CNY'"),
            ("price", "100 cny", "must be an amount like \"1234.50 CNY\" (at most 2 decimals, a 3-letter currency), not '100 cny'"),
            ("due", "2026-02-29", "must be a calendar date YYYY-MM-DD, not '2026-02-29'"),
            ("due", "2026-6-30", "must be a calendar date YYYY-MM-DD, not '2026-6-30'"),
            ("customer", "Acme/production", "names 'Acme/production', whose role is 'department', not 'customer'"),
            ("customer", "alice", "must be an account ORGANIZATION/ID, not 'alice'"),
        ] {
            var arguments = draft
            arguments[field] = bad
            XCTAssertEqual(ledger.refusal(ed, "service-contract.draft", arguments), "service-contract.draft: field '\(field)' \(problem)")
        }
        try ledger.call(ed, "service-contract.draft", draft)
        var contract = try ledger.instance("C1")
        XCTAssertEqual(text(contract["parties"]), #"{"customer":"Acme/alice","enterprise":"Acme/ed"}"#)
        XCTAssertEqual(text(contract["operators"]), #"[{"account":"Acme/alice"},{"account":"Acme/ed"}]"#)

        // Either side amends; both sign; an amendment in between discards a signature.
        try ledger.call(alice, "service-contract.amend", ["id": "C1", "price": "110000 CNY", "note": "a discount, as agreed"])
        try ledger.call(ed, "service-contract.sign", ["id": "C1"])
        contract = try ledger.instance("C1")
        XCTAssertEqual(text(contract["state"]), #""draft""#)
        XCTAssertEqual(text(contract["signatures"]), #"{"fields":{},"signed":["enterprise"],"transition":"sign"}"#)
        XCTAssertEqual(ledger.refusal(ed, "service-contract.sign", ["id": "C1"]), "service-contract.sign: 'Acme/ed' has signed 'sign' already")
        XCTAssertEqual(ledger.refusal(dora, "service-contract.sign", ["id": "C1"]).hasPrefix(
            "service-contract.sign: 'Acme/dora' (role enterprise of Acme) may not fire it in state 'draft'; from 'draft': amend (party enterprise, Acme/ed or party customer, Acme/alice)"), true)
        try ledger.call(alice, "service-contract.amend", ["id": "C1", "due": "2026-07-31"])
        XCTAssertEqual(text(try ledger.instance("C1")["signatures"]), "null")
        try ledger.call(ed, "service-contract.sign", ["id": "C1"])
        let signed = try ledger.call(alice, "service-contract.sign", ["id": "C1"])
        contract = try ledger.instance("C1")
        XCTAssertEqual(text(contract["state"]), #""in-force""#)
        XCTAssertEqual(text(contract["signatures"]), "null")
        XCTAssertEqual(text(contract["fields"]?["price"]), #""110000 CNY""#)
        XCTAssertEqual(text(contract["fields"]?["due"]), #""2026-07-31""#)
        XCTAssertEqual(signed.events.map(\.name), ["sign"])
        XCTAssertEqual(text(try ledger.state.json(ledger.state.keys("wft/C1/").last!)["signed"]), #"["customer"]"#)

        // Milestones, each by the party responsible, with its document.
        XCTAssertEqual(ledger.refusal(alice, "service-contract.design", ["id": "C1", "design-doc": fingerprintArgument("design.pdf", "d")]),
                       "service-contract.design: 'Acme/alice' (role customer of Acme) may not fire it in state 'in-force'; from 'in-force': design (party enterprise, Acme/ed), dispute (party enterprise, Acme/ed or party customer, Acme/alice)")
        XCTAssertEqual(ledger.refusal(ed, "service-contract.design", ["id": "C1"]), "service-contract.design: missing argument 'design-doc'")
        XCTAssertEqual(ledger.refusal(ed, "service-contract.produce", ["id": "C1", "production-doc": fingerprintArgument("p.pdf", "p")]),
                       "service-contract.produce: not allowed in state 'in-force'; from 'in-force': design (party enterprise, Acme/ed), dispute (party enterprise, Acme/ed or party customer, Acme/alice)")
        let milestones: [(Creator, String, String, String)] = [
            (ed, "design", "design-doc", "designed"), (ed, "produce", "production-doc", "produced"), (ed, "ship", "logistics-doc", "shipped"),
            (ed, "construct", "construction-doc", "constructed"), (alice, "inspect", "inspection-doc", "inspected"),
            (alice, "accept", "acceptance-doc", "accepted"), (ed, "confirm-payment", "payment-doc", "completed"),
        ]
        for (who, transition, field, state) in milestones {
            try ledger.call(who, "service-contract.\(transition)", ["id": "C1", field: fingerprintArgument("\(field).pdf", transition)])
            XCTAssertEqual(text(try ledger.instance("C1")["state"]), "\"\(state)\"")
        }
        contract = try ledger.instance("C1")
        XCTAssertEqual(contract["documents"].flatMap { if case .array(let list) = $0 { return list.count } else { return nil } }, 7)
        XCTAssertEqual(text(contract["operators"]), "[]")
        XCTAssertEqual(ledger.state.keys("todo/"), [])
        XCTAssertEqual(ledger.refusal(alice, "service-contract.dispute", ["id": "C1", "reason": "late"]),
                       "service-contract.dispute: not allowed in state 'completed'; from 'completed': none")
    }

    func testADisputeIsSettledOnlyWhenBothSignTheSameSettlement() throws {
        let ledger = try ledger()
        try ledger.call(ed, "service-contract.draft", ["id": "C2", "customer": "Acme/alice", "title": "t", "terms": "t", "price": "5 CNY"])
        try ledger.call(alice, "service-contract.sign", ["id": "C2"])
        try ledger.call(ed, "service-contract.sign", ["id": "C2"])
        try ledger.call(alice, "service-contract.dispute", ["id": "C2", "reason": "nothing happens"])
        XCTAssertEqual(text(try ledger.instance("C2")["state"]), #""disputed""#)
        try ledger.call(ed, "service-contract.settle", ["id": "C2", "settlement": "refund half"])
        XCTAssertEqual(ledger.refusal(alice, "service-contract.settle", ["id": "C2", "settlement": "refund all"]),
                       "service-contract.settle: co-signature over different content: field 'settlement' differs from the first signature's")
        XCTAssertEqual(ledger.refusal(alice, "service-contract.settle", ["id": "C2"]), "service-contract.settle: missing argument 'settlement'")
        try ledger.call(alice, "service-contract.settle", ["id": "C2", "settlement": "refund half"])
        let contract = try ledger.instance("C2")
        XCTAssertEqual(text(contract["state"]), #""settled""#)
        XCTAssertEqual(text(contract["fields"]?["settlement"]), #""refund half""#)
    }

    /// The same calls give the same bytes: writes, events, accounts.
    func testTheSameCallsGiveByteIdenticalWritesAndEvents() throws {
        func run() throws -> ([StateWrite], [ContractEvent], [[UInt8]: [UInt8]]) {
            let ledger = try ledger()
            try ledger.call(alice, "demand.submit", ["id": "D1", "category": "complaint", "description": "x", "attachment": fingerprintArgument("a", "b")])
            try ledger.call(dora, "demand.accept", ["id": "D1"])
            try ledger.call(dora, "demand.dispatch", ["id": "D1", "departments": #"["Acme/quality","Acme/production"]"#])
            try ledger.call(quality, "demand.handle", ["id": "D1", "result": "ok"])
            try ledger.call(production, "demand.handle", ["id": "D1", "result": "fine"])
            try ledger.call(ed, "service-contract.draft", ["id": "C1", "customer": "Acme/alice", "title": "t", "terms": "t", "price": "5 CNY"])
            try ledger.call(alice, "service-contract.sign", ["id": "C1"])
            try ledger.call(ed, "service-contract.sign", ["id": "C1"])
            return (ledger.writes, ledger.events, ledger.state.values)
        }
        let first = try run(), second = try run()
        XCTAssertEqual(first.0, second.0)
        XCTAssertEqual(first.1, second.1)
        XCTAssertEqual(first.2, second.2)
        XCTAssertGreaterThan(first.0.count, 20)
    }
}
