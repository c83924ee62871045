import CSPTestSupport
import Foundation
import XCTest

/// The seed paper's two scenarios (section 4) through the real binaries, with the shipped
/// definitions: Acme's admin, service desk, two departments and regulator, and a customer
/// of a second organisation, Beta, with its own CA and admin. Every step, the refusals a
/// person would hit, a node restart in the middle, and the final state and timeline read
/// back through `csp-tx show`; then `csp-node check` re-executes every block.
final class ScenarioTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(first.utf8))) as? [String: Any] ?? [:]
    }

    /// `csp-tx call` as `who`; returns the parsed result (first JSON line).
    @discardableResult
    private func call(_ fixture: NodeFixture, _ who: String, _ arguments: [String], expect status: Int32 = 0,
                      file: StaticString = #filePath, line: UInt = #line) throws -> (json: [String: Any], stderr: String) {
        let result = try fixture.tx(who, ["call"] + arguments + ["--format", "json"], expect: status, file: file, line: line)
        return (json(result.stdout), result.stderr)
    }

    private func show(_ fixture: NodeFixture, _ who: String, _ id: String) throws -> [String: Any] {
        json(try fixture.tx(who, ["show", id, "--format", "json"]).stdout)
    }

    func testServiceContractAndDemandScenarios() throws {
        let fixture = try NodeFixture.consortium(self)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }

        // Accounts: people register themselves; the admin registers the departments.
        for who in ["root", "dora", "rita", "carol", "boss"] {
            try fixture.tx(who, ["submit", "account.register", "displayName=\(who)"])
        }
        for department in ["prod", "eng"] {
            try fixture.tx("root", ["submit", "account.register", "account=Acme/\(department)", "role=department", "displayName=\(department)"])
        }
        let refusedAdmin = try fixture.tx("boss", ["submit", "account.register", "account=Acme/mallory", "role=enterprise", "displayName=m"], expect: 1)
        XCTAssertTrue(refusedAdmin.stderr.contains("may not register accounts of 'Acme'"), refusedAdmin.stderr)

        // Before deployment the workflow is unknown.
        let early = try call(fixture, "carol", ["demand.submit", "--id", "D-0", "category=complaint", "description=x"], expect: 1)
        XCTAssertEqual(early.json["code"] as? String, "unknown-contract", "\(early)")
        // Deployment: proposed by Acme's admin; Beta's admin may not approve a definition naming only Acme.
        let definitions = repositoryRoot + "/docs/contracts/"
        try fixture.tx("root", ["contract", "propose", definitions + "demand.json"])
        try fixture.tx("boss", ["contract", "approve", "demand", "1"], expect: 1)
        try fixture.tx("root", ["contract", "approve", "demand", "1"])
        try fixture.tx("root", ["contract", "propose", definitions + "service-contract.json"])
        try fixture.tx("root", ["contract", "approve", "service-contract", "1"])

        // Scenario 4.1: drafted by the desk, amended, signed by both, milestones confirmed.
        try Data("Service contract C-1001\n".utf8).write(to: URL(fileURLWithPath: fixture.dir + "/contract.txt"))
        var step = try call(fixture, "dora", ["service-contract.draft", "--id", "C-1001", "customer=Beta/carol", "title=Heat pumps",
                                              "terms=install and commission", "price=120000.00 CNY", "document=@" + fixture.dir + "/contract.txt"])
        XCTAssertEqual(step.json["state"] as? String, "draft")
        try call(fixture, "carol", ["service-contract.amend", "--id", "C-1001", "terms=install, commission and train"])
        // Out of turn and out of order: refused, naming the state and what is allowed.
        let early41 = try call(fixture, "dora", ["service-contract.design", "--id", "C-1001", "design-doc=@" + fixture.dir + "/contract.txt"], expect: 1)
        XCTAssertTrue(early41.stderr.contains("not allowed in state 'draft'"), early41.stderr)
        let stranger = try call(fixture, "rita", ["service-contract.sign", "--id", "C-1001"], expect: 1)
        XCTAssertEqual(stranger.json["code"] as? String, "policy-denied", "\(stranger)")
        step = try call(fixture, "carol", ["service-contract.sign", "--id", "C-1001"])
        XCTAssertEqual(step.json["state"] as? String, "draft", "one signature is not enough")
        step = try call(fixture, "dora", ["service-contract.sign", "--id", "C-1001"])
        XCTAssertEqual(step.json["state"] as? String, "in-force")

        // A restart in the middle changes nothing.
        node.terminate()
        node.waitUntilExit()
        XCTAssertEqual(node.terminationStatus, 0, fixture.nodeLog)
        node = try fixture.start()
        XCTAssertEqual(try show(fixture, "carol", "C-1001")["state"] as? String, "in-force")

        let milestones: [(String, String, String)] = [
            ("dora", "design", "design-doc"), ("dora", "produce", "production-doc"), ("dora", "ship", "logistics-doc"),
            ("dora", "construct", "construction-doc"), ("carol", "inspect", "inspection-doc"), ("carol", "accept", "acceptance-doc"),
            ("dora", "confirm-payment", "payment-doc"),
        ]
        for (who, transition, field) in milestones {
            let path = fixture.dir + "/\(field).txt"
            try Data("\(field) of C-1001\n".utf8).write(to: URL(fileURLWithPath: path))
            try call(fixture, who, ["service-contract.\(transition)", "--id", "C-1001", "\(field)=@\(path)"])
        }
        let contract = try show(fixture, "rita", "C-1001")
        XCTAssertEqual(contract["state"] as? String, "completed")
        let contractTimeline = try XCTUnwrap(contract["timeline"] as? [[String: Any]])
        XCTAssertEqual(contractTimeline.map { $0["transition"] as? String ?? "" },
                       ["draft", "amend", "sign", "sign", "design", "produce", "ship", "construct", "inspect", "accept", "confirm-payment"])
        XCTAssertEqual(contractTimeline.last?["by"] as? String, "Acme/dora")
        XCTAssertEqual((contract["documents"] as? [Any])?.count, 8, "the draft's document and seven milestone reports")

        // Scenario 4.2: a demand linked to the contract, dispatched to two departments.
        try call(fixture, "carol", ["demand.submit", "--id", "D-1", "category=complaint", "description=heating fails at night", "contract=C-1001"])
        let again = try call(fixture, "carol", ["demand.submit", "--id", "D-1", "category=complaint", "description=again"], expect: 1)
        XCTAssertTrue(again.stderr.contains("D-1"), again.stderr)
        let desksTodo = try fixture.tx("dora", ["todo"]).stdout
        XCTAssertTrue(desksTodo.contains("D-1"), desksTodo)
        let wrongRole = try call(fixture, "prod", ["demand.accept", "--id", "D-1"], expect: 1)
        XCTAssertEqual(wrongRole.json["code"] as? String, "contract-failed", "\(wrongRole)")
        let unknownField = try call(fixture, "dora", ["demand.accept", "--id", "D-1", "priority=high"], expect: 1)
        XCTAssertTrue(unknownField.stderr.contains("priority"), unknownField.stderr)
        try call(fixture, "dora", ["demand.accept", "--id", "D-1"])
        let missing = try call(fixture, "dora", ["demand.dispatch", "--id", "D-1"], expect: 1)
        XCTAssertTrue(missing.stderr.contains("departments"), missing.stderr)
        try call(fixture, "dora", ["demand.dispatch", "--id", "D-1", #"departments=["Acme/prod","Acme/eng"]"#])
        XCTAssertTrue(try fixture.tx("prod", ["todo"]).stdout.contains("D-1"))
        try call(fixture, "prod", ["demand.handle", "--id", "D-1", "result=compressor replaced"])
        try call(fixture, "eng", ["demand.handle", "--id", "D-1", "result=controller updated"])
        try call(fixture, "dora", ["demand.resolve", "--id", "D-1", "resolution=fixed on site"])
        let badScore = try call(fixture, "carol", ["demand.confirm", "--id", "D-1", "score=9"], expect: 1)
        XCTAssertTrue(badScore.stderr.contains("score"), badScore.stderr)
        try call(fixture, "carol", ["demand.confirm", "--id", "D-1", "score=5"])
        let closed = try call(fixture, "carol", ["demand.reopen", "--id", "D-1", "reason=still cold"], expect: 1)
        XCTAssertTrue(closed.stderr.contains("closed"), closed.stderr)

        let demand = try show(fixture, "rita", "D-1")
        XCTAssertEqual(demand["state"] as? String, "closed")
        XCTAssertEqual((demand["parties"] as? [String: Any])?["customer"] as? String, "Beta/carol")
        XCTAssertEqual((demand["links"] as? [String]), ["C-1001"])
        let timeline = try XCTUnwrap(demand["timeline"] as? [[String: Any]])
        XCTAssertEqual(timeline.map { $0["transition"] as? String ?? "" },
                       ["submit", "accept", "dispatch", "handle", "handle", "resolve", "confirm"])
        XCTAssertEqual(timeline.map { $0["by"] as? String ?? "" },
                       ["Beta/carol", "Acme/dora", "Acme/dora", "Acme/prod", "Acme/eng", "Acme/dora", "Beta/carol"])
        XCTAssertTrue(try fixture.tx("carol", ["todo"]).stdout.isEmpty, "nothing left for the customer")

        // A dispute settled by both sides: a co-signature over different content is refused.
        try call(fixture, "dora", ["service-contract.draft", "--id", "C-1002", "customer=Beta/carol", "title=Boiler",
                                   "terms=replace", "price=900.00 CNY"])
        try call(fixture, "carol", ["service-contract.sign", "--id", "C-1002"])
        try call(fixture, "dora", ["service-contract.sign", "--id", "C-1002"])
        try call(fixture, "carol", ["service-contract.dispute", "--id", "C-1002", "reason=late"])
        try call(fixture, "carol", ["service-contract.settle", "--id", "C-1002", "settlement=10% off"])
        let different = try call(fixture, "dora", ["service-contract.settle", "--id", "C-1002", "settlement=5% off"], expect: 1)
        XCTAssertEqual(different.json["code"] as? String, "contract-failed", "\(different)")
        XCTAssertEqual(try show(fixture, "carol", "C-1002")["state"] as? String, "disputed", "one signature, not settled")
        step = try call(fixture, "dora", ["service-contract.settle", "--id", "C-1002", "settlement=10% off"])
        XCTAssertEqual(step.json["state"] as? String, "settled")

        // A definition that is not a valid state machine is refused, naming the problem.
        let broken = #"{"name":"broken","version":1,"organizations":["Acme"],"parties":{},"fields":{},"states":["open","limbo"],"initial":"open","final":[],"transitions":{"open":{"from":[],"to":"open","by":[{"role":"customer"}]}}}"#
        try Data(broken.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/broken.json"))
        let refusedDefinition = try fixture.tx("root", ["contract", "propose", fixture.dir + "/broken.json"], expect: 1)
        XCTAssertTrue(refusedDefinition.stderr.contains("limbo"), refusedDefinition.stderr)

        // Every node re-executing these blocks reaches the same state: the full check re-runs
        // the engine from the block files and compares every effect and commit hash.
        node.terminate()
        node.waitUntilExit()
        let check = try NodeFixture.run("csp-node", ["check", "--home", fixture.node])
        XCTAssertTrue(check.stdout.hasPrefix("consortium: "), check.stdout)
    }
}
