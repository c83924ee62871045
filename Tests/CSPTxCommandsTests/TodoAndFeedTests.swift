import CSPCLI
import CSPNodeProtocol
@testable import CSPTxCommands
import XCTest

final class TodoAndFeedTests: XCTestCase {
    let desk = LedgerIdentity(organization: "Acme", id: "desk", role: "enterprise")

    func testPrefixesNameMyAccountMyRoleInMyOrganisationAndInAny() {
        XCTAssertEqual(TodoIndex.prefixes(for: desk), ["todo/a/Acme/desk/", "todo/r/enterprise/Acme/", "todo/r/enterprise/*/"])
    }

    func testTodoKeys() {
        let prefix = "todo/a/Acme/desk/"
        XCTAssertEqual(TodoIndex.entry(key: prefix + "0000019ad8a0b2c0/D-1", prefix: prefix), .init(deadline: 0x19ad8a0b2c0, id: "D-1"))
        XCTAssertEqual(TodoIndex.entry(key: prefix + "ffffffffffffffff/SC-2.x_y", prefix: prefix), .init(deadline: nil, id: "SC-2.x_y"))
        XCTAssertNil(TodoIndex.entry(key: prefix + "0000019ad8a0b2c/D-1", prefix: prefix))  // 15 digits
        XCTAssertNil(TodoIndex.entry(key: prefix + "0000019AD8A0B2C0/D-1", prefix: prefix))  // upper case
        XCTAssertNil(TodoIndex.entry(key: prefix + "0000019ad8a0b2c0/", prefix: prefix))
        XCTAssertNil(TodoIndex.entry(key: prefix + "0000019ad8a0b2c0/a/b", prefix: prefix))
        XCTAssertNil(TodoIndex.entry(key: prefix + "8000000000000000/D-1", prefix: prefix))  // beyond Int64
        XCTAssertNil(TodoIndex.entry(key: "todo/a/Acme/other/0000019ad8a0b2c0/D-1", prefix: prefix))
    }

    func testMergeOldestDeadlineFirstEachIdOnceNoDeadlineLast() {
        let mine: [TodoIndex.Entry] = [.init(deadline: 30, id: "C"), .init(deadline: nil, id: "N1")]
        let role: [TodoIndex.Entry] = [.init(deadline: 10, id: "A"), .init(deadline: 30, id: "C"), .init(deadline: 40, id: "D")]
        let any: [TodoIndex.Entry] = [.init(deadline: 20, id: "B"), .init(deadline: 30, id: "B2"), .init(deadline: nil, id: "M")]
        XCTAssertEqual(TodoIndex.merge([mine, role, any], limit: nil).map(\.id), ["A", "B", "B2", "C", "D", "M", "N1"])
        XCTAssertEqual(TodoIndex.merge([mine, role, any], limit: 3).map(\.id), ["A", "B", "B2"])
        XCTAssertEqual(TodoIndex.merge([[], [], []], limit: 50), [])
    }

    func testTimes() {
        XCTAssertEqual(WorkflowText.time(1_796_033_700_000), "2026-11-30 10:15")
        XCTAssertEqual(WorkflowText.time(0), "1970-01-01 00:00")
        XCTAssertEqual(WorkflowText.time(951_825_600_000), "2000-02-29 12:00")
        XCTAssertEqual(WorkflowText.deadline(1_796_033_700_000, now: 1_796_033_700_001), "due 2026-11-30 10:15 (overdue)")
        XCTAssertEqual(WorkflowText.deadline(1_796_033_700_000, now: 1_796_033_700_000), "due 2026-11-30 10:15")
        XCTAssertEqual(WorkflowText.deadline(nil, now: 0), "no deadline")
    }

    func testOperatorsAndTimeline() throws {
        let operators = try XCTUnwrap(StateJSON.parse(#"[{"account":"Acme/bob"},{"role":"enterprise","organization":"Acme"},{"role":"regulator"}]"#))
        XCTAssertEqual(WorkflowText.operators(operators), "Acme/bob, role enterprise of Acme, role regulator")
        XCTAssertEqual(WorkflowText.operators(.array([])), "nobody")
        let entry = try XCTUnwrap(StateJSON.parse(#"{"seq":1,"transition":"accept","from":"submitted","to":"accepted","block":12,"tx":0,"time":1796033700000,"by":"Acme/desk","fields":{"note":"ok"}}"#))
        XCTAssertEqual(CSPTx.Show.timelineLine(entry), "block 12  2026-11-30 10:15  Acme/desk  accept: submitted → accepted  (note)")
        let first = try XCTUnwrap(StateJSON.parse(#"{"seq":0,"transition":"submit","from":null,"to":"submitted","block":9,"tx":1,"time":1796033640000,"by":"Acme/alice","fields":{}}"#))
        XCTAssertEqual(CSPTx.Show.timelineLine(first), "block 9  2026-11-30 10:14  Acme/alice  submit: → submitted")
        let cosigned = try XCTUnwrap(StateJSON.parse(#"{"seq":2,"transition":"sign","from":"draft","to":"in-force","block":14,"tx":2,"time":1796033700000,"by":"Acme/ed","fields":{},"signed":["customer","enterprise"],"endorsers":["Beta/carol"]}"#))
        XCTAssertEqual(CSPTx.Show.timelineLine(cosigned), "block 14  2026-11-30 10:15  Acme/ed + Beta/carol  sign: draft → in-force  signed: customer, enterprise")
    }

    func testShowText() throws {
        let instance = try XCTUnwrap(StateJSON.parse(#"{"id":"D-1","definition":"demand","version":1,"state":"accepted","parties":{"customer":"Acme/alice","desk":"Acme/desk"},"fields":{"attachment":{"name":"photo.jpg","sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03","size":6},"description":"heating\nfails","result":{"Acme/eng":"fixed","Acme/qa":"checked"}},"operators":[{"account":"Acme/desk"}],"deadline":1796033700000,"signatures":null,"documents":[{"field":"attachment","name":"photo.jpg","sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03","size":6}],"links":["SC-9"],"timeline":2}"#))
        let entry = try XCTUnwrap(StateJSON.parse(#"{"seq":1,"transition":"accept","from":"submitted","to":"accepted","block":8,"tx":"ab","time":1796033700000,"by":"Acme/desk","fields":{}}"#))
        XCTAssertEqual(CSPTx.Show.text(instance, timeline: [entry], now: 1_796_033_700_001), """
            D-1  demand v1  accepted
            operators  Acme/desk
            deadline   due 2026-11-30 10:15 (overdue)
            parties    customer Acme/alice, desk Acme/desk
            fields
              attachment   photo.jpg  sha256 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  6 bytes
              description  heating fails
              result       Acme/eng: fixed; Acme/qa: checked
            document   attachment: photo.jpg  sha256 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  6 bytes
            links      SC-9
            timeline
              block 8  2026-11-30 10:15  Acme/desk  accept: submitted → accepted
            """)
    }

    func testStateJSONKeepsTypes() throws {
        let value = try XCTUnwrap(StateJSON.parse(#"{"a":true,"b":1,"c":null,"d":"x","e":[false,0],"f":1.5}"#))
        XCTAssertEqual(value, .object(["a": .bool(true), "b": .int(1), "c": .null, "d": .string("x"), "e": .array([.bool(false), .int(0)]), "f": .double(1.5)]))
        XCTAssertNil(StateJSON.parse("{"))
    }

    func event(_ contract: String, _ payload: String) -> NodeItem {
        var item = NodeItem()
        item.contract = contract
        item.event = "x"
        item.block = 12
        item.payload = payload
        return item
    }

    func testMineFilter() {
        let filter = MineFilter(identity: desk)
        func transition(operators: String, parties: String = "{}") -> NodeItem {
            event("demand", #"{"id":"D-1","definition":"demand","transition":"submit","from":null,"to":"submitted","by":"Acme/alice","operators":\#(operators),"parties":\#(parties),"deadline":null}"#)
        }
        XCTAssertTrue(filter.matches(transition(operators: #"[{"account":"Acme/desk"}]"#)))
        XCTAssertTrue(filter.matches(transition(operators: #"[{"role":"enterprise","organization":"Acme"}]"#)))
        XCTAssertTrue(filter.matches(transition(operators: #"[{"role":"enterprise"}]"#)))
        XCTAssertTrue(filter.matches(transition(operators: "[]", parties: #"{"desk":"Acme/desk"}"#)))
        XCTAssertFalse(filter.matches(transition(operators: #"[{"role":"enterprise","organization":"Beta"}]"#)))
        XCTAssertFalse(filter.matches(transition(operators: #"[{"role":"customer"},{"account":"Acme/desk2"}]"#, parties: #"{"customer":"Acme/alice"}"#)))
        XCTAssertTrue(filter.matches(event("account", #"{"account":"Acme/desk"}"#)))
        XCTAssertFalse(filter.matches(event("account", #"{"account":"Acme/alice"}"#)))
        XCTAssertFalse(filter.matches(event("contract", #"{"name":"demand","version":1,"hash":"ab"}"#)))
        XCTAssertTrue(MineFilter(identity: .init(organization: "Acme", id: "root", role: "admin")).matches(event("contract", #"{"name":"demand","version":1,"hash":"ab"}"#)))
        XCTAssertFalse(filter.matches(event("kv", "not json")))
    }

    func testFeedText() {
        let item = event("demand", #"{"id":"D-1","definition":"demand","transition":"accept","from":"submitted","to":"accepted","by":"Acme/desk","operators":[{"role":"enterprise","organization":"Acme"}],"parties":{},"deadline":1796033700000}"#)
        XCTAssertEqual(MineFilter.text(item, now: 0), "block 12  D-1  demand.accept: submitted → accepted  by Acme/desk  next: role enterprise of Acme  due 2026-11-30 10:15")
    }
}
