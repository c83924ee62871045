import CSPTestSupport
import Foundation
import XCTest

/// The account and contract system contracts through the real binaries: csp-ca
/// enrolls, csp-node orders and executes, csp-tx submits and reads.
final class AccountsAndLifecycleTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Submits a call as `who`; the answer's code and reason.
    @discardableResult
    func submit(_ fixture: NodeFixture, _ who: String, _ call: [String], expect status: Int32 = 0,
                file: StaticString = #filePath, line: UInt = #line) throws -> (code: String, reason: String) {
        let result = try fixture.tx(who, ["submit"] + call, expect: status, file: file, line: line)
        let answer = json(result.stdout)
        return (answer["code"] as? String ?? "", answer["reason"] as? String ?? "")
    }

    func testRegisterDeregisterAndHistory() throws {
        let fixture = try NodeFixture.make(self)
        _ = try fixture.enroll("desk", role: "enterprise")
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }

        // A customer registers itself; an admin registers staff.
        XCTAssertEqual(try submit(fixture, "alice", ["account.register", "displayName=Alice Liu", "phone=+86 10 5555"]).code, "valid")
        XCTAssertEqual(try submit(fixture, "root", ["account.register", "displayName=Service desk", "account=Acme/desk", "role=enterprise"]).code, "valid")
        let desk = json(try fixture.tx("desk", ["query", "account/Acme/desk"]).stdout)
        XCTAssertEqual(desk["role"] as? String, "enterprise")
        XCTAssertEqual(desk["status"] as? String, "active")
        XCTAssertEqual((desk["registered"] as? [String: Any])?["by"] as? String, "Acme/root")
        // Staff cannot register others, and nobody registers twice.
        let refused = try submit(fixture, "desk", ["account.register", "displayName=Bob", "account=Acme/bob", "role=customer"], expect: 1)
        XCTAssertEqual(refused.code, "contract-failed")
        XCTAssertEqual(refused.reason, "account.register: only role 'admin' may register another account than its own ('Acme/bob')")
        XCTAssertEqual(try submit(fixture, "alice", ["account.register", "displayName=Alice"], expect: 1).reason,
                       "account.register: account 'Acme/alice' is already registered")

        XCTAssertEqual(try submit(fixture, "alice", ["kv.put", "key=demand-1", "value=heating fails"]).code, "valid")
        XCTAssertEqual(try submit(fixture, "root", ["account.deregister", "account=Acme/alice"]).code, "valid")

        // Deregistered: the next transaction is refused with its own code, and changes nothing.
        // Refused at submit, never ordered.
        let after = try fixture.tx("alice", ["submit", "kv.put", "key=demand-1", "value=closed"], expect: 1)
        XCTAssertEqual(json(after.stdout)["code"] as? String, "deregistered-account")
        XCTAssertEqual(json(after.stdout)["reason"] as? String, "account 'Acme/alice' is deregistered")
        XCTAssertNil(json(after.stdout)["block"], after.stdout)
        XCTAssertEqual(after.stderr, "error: rejected: account 'Acme/alice' is deregistered\n")
        XCTAssertEqual(try submit(fixture, "alice", ["account.register", "displayName=Alice again"], expect: 1).code, "deregistered-account")
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/demand-1"]).stdout, "heating fails\n")

        // Its history stays readable, by itself and by others.
        let record = json(try fixture.tx("alice", ["query", "account/Acme/alice"]).stdout)
        XCTAssertEqual(record["status"] as? String, "deregistered")
        XCTAssertEqual((record["deregistered"] as? [String: Any])?["by"] as? String, "Acme/root")
        XCTAssertEqual(try fixture.tx("alice", ["history", "account/Acme/alice"]).stdout.split(separator: "\n").count, 2)
        let transactions = try fixture.tx("rita", ["account", "Acme/alice"]).stdout.split(separator: "\n")
        XCTAssertEqual(transactions.count, 3, "register, put, and the admin's deregistration list alice: \(transactions)")
    }

    /// A deregistration ordered in the same block as the account's next transaction
    /// refuses it there (both passed the submit-time check), and `csp-node check`
    /// reaches the same verdict from the block files.
    func testDeregistrationDecidesTheRestOfItsBlock() throws {
        let fixture = try NodeFixture.make(self, timeoutMilliseconds: 3000)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        XCTAssertEqual(try submit(fixture, "alice", ["account.register", "displayName=Alice"]).code, "valid")
        try fixture.tx("alice", ["submit", "account.deregister", "--no-wait"])
        let queued = try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=v"], expect: 1)
        let verdict = json(queued.stdout)
        XCTAssertEqual(verdict["code"] as? String, "deregistered-account", queued.stdout)
        XCTAssertEqual(verdict["block"] as? Int, 2, "ordered into the deregistration's block: \(queued.stdout)")
        try fixture.tx("alice", ["query", "kv/k"], expect: 1)
        node.terminate()
        node.waitUntilExit()
        let check = try NodeFixture.run("csp-node", ["check", "--home", fixture.node])
        XCTAssertTrue(check.stdout.hasPrefix("consortium: 3 blocks"), check.stdout)
    }

    func testLifecycleNeedsEveryOrganization() throws {
        let fixture = try NodeFixture.make(self, beta: true)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        // Calls to definitions need a policy grant like any other call.
        let policy = #"{"invoke":{"*":["customer","admin"],"config.*":["admin"]},"read":{"*":["customer","admin","regulator"]}}"#
        XCTAssertEqual(try submit(fixture, "root", ["config.set-policy", "policy=\(policy)"]).code, "valid")

        let version1 = Self.ticket(version: 1)
        XCTAssertEqual(try submit(fixture, "root", ["contract.propose", "definition=\(version1)"]).code, "valid")
        let stored = json(try fixture.tx("root", ["query", "contract/def/ticket/1"]).stdout)
        XCTAssertEqual(stored["status"] as? String, "proposed")
        let hash = try XCTUnwrap(stored["hash"] as? String)
        XCTAssertEqual(hash.count, 64)

        // A customer cannot approve; a wrong hash is refused.
        XCTAssertEqual(try submit(fixture, "alice", ["contract.approve", "name=ticket", "version=1", "hash=\(hash)"], expect: 1).reason,
                       "contract.approve: only role 'admin' of an organization the definition names (Acme, Beta) may approve 'ticket'")
        let wrong = String(repeating: "0", count: 64)
        XCTAssertEqual(try submit(fixture, "boss", ["contract.approve", "name=ticket", "version=1", "hash=\(wrong)"], expect: 1).reason,
                       "contract.approve: hash '\(wrong)' is not the hash of version 1 of 'ticket' (\(hash))")

        // One organisation's approval: still proposed, and nobody can call it.
        XCTAssertEqual(try submit(fixture, "root", ["contract.approve", "name=ticket", "version=1", "hash=\(hash)"]).code, "valid")
        try fixture.tx("root", ["query", "contract/active/ticket"], expect: 1)
        let early = try submit(fixture, "alice", ["ticket.open", "id=t-1", "note=too early"], expect: 1)
        XCTAssertEqual(early.code, "unknown-contract")

        // Both: active.
        XCTAssertEqual(try submit(fixture, "boss", ["contract.approve", "name=ticket", "version=1", "hash=\(hash)"]).code, "valid")
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/active/ticket"]).stdout)["version"] as? Int, 1)
        let active = json(try fixture.tx("root", ["query", "contract/def/ticket/1"]).stdout)
        XCTAssertEqual(active["status"] as? String, "active")
        XCTAssertEqual((active["approvals"] as? [String: Any])?.keys.sorted(), ["Acme", "Beta"])
        XCTAssertEqual(try submit(fixture, "alice", ["account.register", "displayName=Alice"]).code, "valid")
        XCTAssertEqual(try submit(fixture, "alice", ["ticket.open", "id=t-1", "note=heating fails"]).code, "valid")

        // An upgrade approved by one organisation only stays proposed; version 1 stays active.
        let version2 = Self.ticket(version: 2)
        XCTAssertEqual(try submit(fixture, "boss", ["contract.upgrade", "definition=\(version2)"]).code, "valid")
        let hash2 = try XCTUnwrap(json(try fixture.tx("root", ["query", "contract/def/ticket/2"]).stdout)["hash"] as? String)
        XCTAssertEqual(try submit(fixture, "boss", ["contract.approve", "name=ticket", "version=2", "hash=\(hash2)"]).code, "valid")
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/def/ticket/2"]).stdout)["status"] as? String, "proposed")
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/active/ticket"]).stdout)["version"] as? Int, 1)
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/def/ticket/1"]).stdout)["status"] as? String, "active")

        // A restart changes nothing.
        node.terminate()
        node.waitUntilExit()
        let again = try fixture.start()
        defer { again.terminate(); again.waitUntilExit() }
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/def/ticket/2"]).stdout)["status"] as? String, "proposed")
        XCTAssertEqual(try submit(fixture, "root", ["contract.approve", "name=ticket", "version=2", "hash=\(hash2)"]).code, "valid")
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/active/ticket"]).stdout)["version"] as? Int, 2)
        XCTAssertEqual(json(try fixture.tx("root", ["query", "contract/def/ticket/1"]).stdout)["status"] as? String, "superseded")
    }

    /// A small definition Acme and Beta must both approve.
    static func ticket(version: Int) -> String {
        """
        {"name":"ticket","version":\(version),"organizations":["Acme","Beta"],
         "parties":{"customer":{"role":"customer"}},
         "fields":{"note":{"type":"string","max":\(100 * version)}},
         "states":["open","closed"],"initial":"open","final":["closed"],
         "transitions":{
           "open":{"from":[],"to":"open","by":[{"role":"customer"}],"bind":["customer"],"requires":["note"]},
           "close":{"from":["open"],"to":"closed","by":[{"party":"customer"}]}}}
        """
    }
}
