import CSPTestSupport
import Foundation
import XCTest

/// csp-tx's workflow commands through a whole lifecycle, with the real binaries: an
/// admin proposes and approves a definition (YAML), a customer opens an instance with a
/// file's fingerprint, the desk sees it in its todo list and its feed, takes it, the
/// customer closes it; every step read back with show, todo and watch --mine.
/// Needs the workflow engine and the account and contract system contracts in the node.
final class WorkflowCommandsTests: XCTestCase {
    static let definition = """
        # A small support ticket: the customer opens it, the desk takes it, the customer closes it.
        name: ticket
        version: 1
        organizations: [Acme]
        parties:
          customer: {role: customer}
        fields:
          subject: {type: string, max: 200}
          report: {type: fingerprint}
          score: {type: integer, min: 1, max: 5}
        states: [opened, taken, closed]
        initial: opened
        final: [closed]
        transitions:
          open:
            from: []
            to: opened
            by: [{role: customer}]
            bind: [customer]
            requires: [subject]
            optional: [report]
            operators: [{role: enterprise, organization: Acme}]
            deadline: 24h
            signers: []
          take:
            from: [opened]
            to: taken
            by: [{role: enterprise, organization: Acme}]
            bind: []
            requires: []
            optional: []
            operators: [{party: customer}]
            signers: []
          close:
            from: [taken]
            to: closed
            by: [{party: customer}]
            bind: []
            requires: [score]
            optional: []
            operators: []
            signers: []
        """

    func json(_ text: some StringProtocol) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func testTicketLifecycleThroughTheCommands() throws {
        let fixture = try NodeFixture.makeForWorkflows(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }

        for (who, name) in [("alice", "Alice"), ("desk", "Service desk"), ("root", "Root")] {
            try fixture.tx(who, ["submit", "account.register", "displayName=\(name)"])
        }
        let accounts = try fixture.tx("root", ["accounts"]).stdout
        XCTAssertEqual(accounts, "Acme/alice  customer  active  Alice\nAcme/desk  enterprise  active  Service desk\nAcme/root  admin  active  Root\n")
        XCTAssertTrue(try fixture.tx("root", ["accounts", "Acme/desk"]).stdout.hasPrefix("Acme/desk  enterprise  active  Service desk\n"))

        // The lifecycle: propose (YAML), list, approve by the stored hash, show.
        try Self.definition.write(toFile: fixture.dir + "/ticket.yaml", atomically: true, encoding: .utf8)
        let proposed = json(try fixture.tx("root", ["contract", "propose", fixture.dir + "/ticket.yaml", "--format", "json"]).stdout)
        XCTAssertEqual(proposed["status"] as? String, "proposed", "\(proposed)")
        let hash = try XCTUnwrap(proposed["hash"] as? String)
        XCTAssertEqual(hash.count, 64)
        XCTAssertEqual(try fixture.tx("root", ["contract", "list"]).stdout, "ticket v1  proposed  no approvals; waiting for Acme  sha256 \(hash)\n")
        // Completion of 'csp-tx call': only active definitions' transitions.
        XCTAssertEqual(try fixture.tx("root", ["contract", "list", "--calls"]).stdout, "")
        let refused = try fixture.tx("alice", ["call", "ticket.open", "subject=too early"], expect: 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: "), refused.stderr)
        let approved = try fixture.tx("root", ["contract", "approve", "ticket", "1"]).stdout
        XCTAssertTrue(approved.hasPrefix("approved ticket v1, sha256 \(hash), in block "), approved)
        XCTAssertTrue(approved.hasSuffix(": active, approved by Acme\n"), approved)
        XCTAssertEqual(try fixture.tx("root", ["contract", "list", "--calls", "--format", "json"]).stdout, "ticket.close\nticket.open\nticket.take\n")
        let shown = try fixture.tx("root", ["contract", "show", "ticket"]).stdout
        XCTAssertTrue(shown.hasPrefix("ticket v1  active  approved by Acme  sha256 \(hash)\n"), shown)
        XCTAssertTrue(shown.contains("  open: (new) → opened  by role customer\n"), shown)

        // The customer opens a ticket with a file's fingerprint: one line, exit 0.
        let photo = fixture.dir + "/photo.jpg"
        try Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0) }).write(to: URL(fileURLWithPath: photo))
        let sum = try runProcess("sha256sum", [photo]).stdout.prefix(64)
        let opened = try fixture.tx("alice", ["call", "ticket.open", "subject=heating fails at night", "report=@" + photo])
        XCTAssertEqual(opened.stdout.split(separator: "\n").count, 1, opened.stdout)
        let id = String(opened.stdout.prefix { $0 != " " })
        XCTAssertTrue(id.range(of: #"^T-[0-9]{8}-[0-9a-f]{8}$"#, options: .regularExpression) != nil, opened.stdout)
        XCTAssertTrue(opened.stdout.contains("  opened  block ") && opened.stdout.contains("  next: role enterprise of Acme  due "), opened.stdout)

        var instance = json(try fixture.tx("alice", ["show", id, "--format", "json"]).stdout)
        XCTAssertEqual(instance["state"] as? String, "opened")
        XCTAssertEqual(instance["overdue"] as? Bool, false)
        XCTAssertEqual((instance["parties"] as? [String: String])?["customer"], "Acme/alice")
        let documents = try XCTUnwrap(instance["documents"] as? [[String: Any]])
        XCTAssertEqual(documents.first?["sha256"] as? String, String(sum))
        XCTAssertEqual(documents.first?["name"] as? String, "photo.jpg")
        XCTAssertEqual(documents.first?["size"] as? Int, 100_000)
        XCTAssertEqual((instance["timeline"] as? [Any])?.count, 1)

        // The desk's turn: in its todo list and its feed; not the customer's.
        let todo = try fixture.tx("desk", ["todo"]).stdout
        XCTAssertTrue(todo.hasPrefix("\(id)  ticket  opened  due "), todo)
        XCTAssertEqual(todo.split(separator: "\n").count, 1)
        XCTAssertEqual(try fixture.tx("alice", ["todo"]).stdout, "")
        XCTAssertEqual(try fixture.tx("rita", ["todo"]).stdout, "")
        // The desk's feed: its own registration, then the ticket.
        let deskFeed = try fixture.tx("desk", ["watch", "--mine", "--from", "0", "--count", "2"]).stdout.split(separator: "\n")
        XCTAssertEqual(json(deskFeed[0])["contract"] as? String, "account")
        let feed = json(deskFeed[1])
        XCTAssertEqual(feed["contract"] as? String, "ticket")
        XCTAssertEqual(json(feed["payload"] as? String ?? "")["id"] as? String, id)

        // Only the id's owner acts on it: without --id, a usage error; the wrong
        // transition is refused with the state named.
        XCTAssertTrue(try fixture.tx("desk", ["call", "ticket.take"], expect: 64).stderr.contains("give its --id"))
        let early = try fixture.tx("alice", ["call", "ticket.close", "--id", id, "score=5"], expect: 1)
        XCTAssertTrue(early.stderr.contains("'opened'"), early.stderr)

        let taken = json(try fixture.tx("desk", ["call", "ticket.take", "--id", id, "--format", "json"]).stdout)
        XCTAssertEqual(taken["state"] as? String, "taken")
        XCTAssertEqual(taken["operators"] as? [[String: String]], [["account": "Acme/alice"]])
        XCTAssertEqual(try fixture.tx("desk", ["todo"]).stdout, "")
        let aliceTodo = json(try fixture.tx("alice", ["todo", "--format", "json"]).stdout)
        XCTAssertEqual(aliceTodo["id"] as? String, id)
        XCTAssertEqual(aliceTodo["state"] as? String, "taken")
        // The customer's feed: her registration, the opening (a party), the take (her turn).
        let aliceFeed = try fixture.tx("alice", ["watch", "--mine", "--from", "0", "--count", "3", "--format", "text"]).stdout
        XCTAssertTrue(aliceFeed.contains("\(id)  ticket.take: opened → taken  by Acme/desk  next: Acme/alice"), aliceFeed)

        try fixture.tx("alice", ["call", "ticket.close", "--id", id, "score=5"])
        instance = json(try fixture.tx("rita", ["show", id, "--format", "json"]).stdout)
        XCTAssertEqual(instance["state"] as? String, "closed")
        let text = try fixture.tx("alice", ["show", id]).stdout
        XCTAssertTrue(text.hasPrefix("\(id)  ticket v1  closed\n"), text)
        XCTAssertTrue(text.contains("  Acme/alice  open: → opened  (report, subject)\n"), text)
        XCTAssertTrue(text.contains("  Acme/desk  take: opened → taken\n"), text)
        XCTAssertTrue(text.contains("  Acme/alice  close: taken → closed  (score)\n"), text)
        XCTAssertEqual(try fixture.tx("alice", ["todo"]).stdout, "")
    }
}
