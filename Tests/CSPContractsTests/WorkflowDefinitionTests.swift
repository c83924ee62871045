import CSPContracts
import Foundation
import XCTest

final class WorkflowDefinitionTests: XCTestCase {
    /// A small valid definition as Foundation objects, to break one rule at a time.
    private func base() -> [String: Any] {
        [
            "name": "ticket", "version": 1, "organizations": ["Acme"],
            "parties": ["customer": ["role": "customer"], "desk": ["role": "enterprise", "organization": "Acme"]],
            "fields": ["text": ["type": "string", "max": 100], "staff": ["type": "accounts", "role": "department"]],
            "states": ["open", "working", "closed"], "initial": "open", "final": ["closed"],
            "transitions": [
                "open": ["from": [String](), "to": "open", "by": [["role": "customer"]], "bind": ["customer"], "requires": ["text"],
                         "operators": [["role": "enterprise", "organization": "Acme"]], "deadline": "24h"],
                "take": ["from": ["open"], "to": "working", "by": [["role": "enterprise"]], "bind": ["desk"], "optional": ["staff"],
                         "operators": [["field": "staff"], ["party": "desk"]]],
                "close": ["from": ["working"], "to": "closed", "by": [["party": "customer"], ["operator": true]]],
            ],
        ]
    }

    private func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object))
    }

    private func problem(_ edit: (inout [String: Any]) -> Void, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var object = base()
        edit(&object)
        do {
            _ = try WorkflowDefinition(json: try json(object))
            XCTFail("accepted", file: file, line: line)
            return ""
        } catch {
            return (error as? DefinitionError)?.message ?? "\(error)"
        }
    }

    private func editTransition(_ name: String, _ object: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var transitions = object["transitions"] as! [String: Any]
        var transition = transitions[name] as! [String: Any]
        edit(&transition)
        transitions[name] = transition
        object["transitions"] = transitions
    }

    func testAValidDefinitionLoadsWithItsCanonicalBytesAndHash() throws {
        let definition = try WorkflowDefinition(json: try json(base()))
        XCTAssertEqual(definition.name, "ticket")
        XCTAssertEqual(definition.version, 1)
        XCTAssertEqual(definition.organizations, ["Acme"])
        XCTAssertEqual(definition.transitions["open"]?.deadline, 86_400_000)
        // Whitespace and member order do not change the canonical bytes or the hash.
        let spaced = try JSONSerialization.data(withJSONObject: base(), options: [.prettyPrinted])
        let again = try WorkflowDefinition(json: Array(spaced))
        XCTAssertEqual(again.canonicalJSON, definition.canonicalJSON)
        XCTAssertEqual(again.hash, definition.hash)
        XCTAssertEqual(try CanonicalJSON.parse(definition.canonicalJSON), try CanonicalJSON.parse(try json(base())))
        XCTAssertTrue(String(decoding: definition.canonicalJSON, as: UTF8.self).hasPrefix(#"{"fields":{"staff":"#))
    }

    func testEveryShippedDefinitionLoads() throws {
        for name in ["demand", "service-contract", "order", "invoice", "feedback"] {
            let definition = try WorkflowDefinition(json: try shippedDefinition(name))
            XCTAssertEqual(definition.name, name)
            XCTAssertEqual(definition.version, 1)
            XCTAssertEqual(definition.organizations, ["Acme"])
        }
    }

    func testRefusesWhatIsNotJSONOrNotAnObject() throws {
        XCTAssertThrowsError(try WorkflowDefinition(json: Array("{\"name\":".utf8))) { error in
            XCTAssertTrue((error as! DefinitionError).message.hasPrefix("the definition is not valid JSON: invalid JSON at byte"))
        }
        XCTAssertThrowsError(try WorkflowDefinition(json: Array("[1]".utf8))) { error in
            XCTAssertEqual((error as! DefinitionError).message, "must be a JSON object")
        }
    }

    func testRefusesAMissingOrBadNameAndVersion() throws {
        XCTAssertEqual(try problem { $0["name"] = nil }, "the definition has no name")
        XCTAssertEqual(try problem { $0["name"] = "Bad Name" }, "name 'Bad Name' must be 1-32 of a-z 0-9 '-', starting with a letter")
        XCTAssertEqual(try problem { $0["name"] = "kv" }, "name 'kv' is a built-in contract")
        XCTAssertEqual(try problem { $0["version"] = nil }, "the definition has no version")
        XCTAssertEqual(try problem { $0["version"] = 0 }, "version must be an integer of at least 1")
        XCTAssertEqual(try problem { $0["organizations"] = [String]() }, "\"organizations\" must name at least one organisation")
    }

    func testRefusesUnknownKeysEverywhere() throws {
        XCTAssertEqual(try problem { $0["colour"] = "red" }, "unknown key 'colour'")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["when"] = "now" } }, "transition 'take': unknown key 'when'")
        XCTAssertEqual(try problem { $0["fields"] = ["text": ["type": "string", "min": 1]] }, "field 'text': unknown key 'min'")
        XCTAssertEqual(try problem { $0["parties"] = ["customer": ["role": "customer", "x": 1]] }, "party 'customer': unknown key 'x'")
    }

    func testRefusesNoStatesAndNoInitialState() throws {
        XCTAssertEqual(try problem { $0["states"] = [String]() }, "the definition has no states")
        XCTAssertEqual(try problem { $0["initial"] = nil }, "the definition has no initial state")
        XCTAssertEqual(try problem { $0["initial"] = "nowhere" }, "initial state 'nowhere' is not a declared state")
        XCTAssertEqual(try problem { $0["final"] = ["gone"] }, "final state 'gone' is not a declared state")
    }

    func testRefusesTransitionsToAndFromUnknownStates() throws {
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["to"] = "wroking" } },
                       "transition 'take': goes to unknown state 'wroking'")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["from"] = ["opne"] } },
                       "transition 'take': leaves from unknown state 'opne'")
    }

    func testRefusesUnreachableStates() throws {
        XCTAssertEqual(try problem { $0["states"] = ["open", "working", "closed", "limbo"] },
                       "state 'limbo' is not reachable from the initial state 'open'")
    }

    func testRefusesBadCreatingTransitions() throws {
        XCTAssertEqual(try problem { self.editTransition("open", &$0) { $0["to"] = "working" } },
                       "transition 'open': creates instances, so it must go to the initial state 'open', not 'working'")
        XCTAssertEqual(try problem { self.editTransition("open", &$0) { $0["from"] = ["closed"] } },
                       "transition 'open': leaves the final state 'closed'")
        XCTAssertEqual(try problem { self.editTransition("open", &$0) { $0["from"] = ["working"] } },
                       "no transition creates instances (one with an empty \"from\")")
        XCTAssertEqual(try problem { self.editTransition("open", &$0) { $0["by"] = [["party": "customer"]] } },
                       "transition 'open': creates instances, so \"by\" can only name roles")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["from"] = nil } },
                       "transition 'take': missing \"from\" (empty to create instances)")
    }

    func testRefusesOperatorsAfterAFinalState() throws {
        XCTAssertEqual(try problem { self.editTransition("close", &$0) { $0["operators"] = [["party": "desk"]] } },
                       "transition 'close': goes to the final state 'closed', so it can have no \"operators\" or \"deadline\"")
        XCTAssertEqual(try problem { self.editTransition("close", &$0) { $0["deadline"] = "1d" } },
                       "transition 'close': goes to the final state 'closed', so it can have no \"operators\" or \"deadline\"")
    }

    func testRefusesTransitionsLeavingAFinalState() throws {
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["from"] = ["open", "closed"] } },
                       "transition 'take': leaves the final state 'closed'")
    }

    func testRefusesUndeclaredPartiesFieldsAndSelectors() throws {
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["by"] = [["party": "boss"]] } },
                       "transition 'take': 'by' names undeclared party 'boss'")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["operators"] = [["field": "crew"]] } },
                       "transition 'take': 'operators' names undeclared field 'crew'")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["operators"] = [["field": "text"]] } },
                       "transition 'take': 'operators' names field 'text', which does not hold accounts")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["operators"] = [["operator": true]] } },
                       "transition 'take': \"operators\" cannot name {\"operator\": true}")
        XCTAssertTrue(try problem { self.editTransition("take", &$0) { $0["by"] = [["who": "me"]] } }
            .hasPrefix("transition 'take': 'by' holds a selector that is none of"))
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["by"] = [Any]() } },
                       "transition 'take': \"by\" must name at least one selector")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["requires"] = ["txet"] } },
                       "transition 'take': undeclared field 'txet'")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["bind"] = ["boss"] } },
                       "transition 'take': \"bind\" names undeclared party 'boss'")
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["signers"] = ["boss"] } },
                       "transition 'take': \"signers\" names undeclared party 'boss'")
        XCTAssertEqual(try problem { $0["parties"] = ["customer": ["role": "customer", "field": "who"]] },
                       "party 'customer': undeclared field 'who'")
    }

    func testRefusesOverlappingRequiredAndOptionalFields() throws {
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["requires"] = ["staff"] } },
                       "transition 'take': field 'staff' is both required and optional")
    }

    func testRefusesBindWithSigners() throws {
        XCTAssertEqual(try problem { self.editTransition("take", &$0) { $0["signers"] = ["customer"] } },
                       "transition 'take': \"bind\" and \"signers\" cannot be combined")
    }

    func testRefusesDeadlinesThatDoNotParse() throws {
        for bad in ["24", "0h", "1w", "1.5h", "-1d", "01h", "+5m", "1000000d"] {
            XCTAssertEqual(try problem { self.editTransition("open", &$0) { $0["deadline"] = bad } },
                           "transition 'open': deadline '\(bad)' must be a number of minutes, hours or days: \"30m\", \"24h\", \"5d\"")
        }
        for (good, milliseconds) in [("30m", 1_800_000), ("5d", 432_000_000), ("999999m", 59_999_940_000)] as [(String, UInt64)] {
            var object = base()
            editTransition("open", &object) { $0["deadline"] = good }
            XCTAssertEqual(try WorkflowDefinition(json: try json(object)).transitions["open"]?.deadline, milliseconds)
        }
    }

    func testRefusesBadFieldTypes() throws {
        XCTAssertEqual(try problem { $0["fields"] = ["text": ["type": "float"]] }, "field 'text': unknown type 'float'")
        XCTAssertEqual(try problem { $0["fields"] = ["text": ["type": "enum", "values": [String]()]] }, "field 'text': \"values\" must not be empty")
        XCTAssertEqual(try problem { $0["fields"] = ["text": ["type": "integer", "min": 5, "max": 1]] }, "field 'text': \"min\" is greater than \"max\"")
        XCTAssertEqual(try problem { $0["fields"] = ["id": ["type": "string"]] },
                       "field name 'id' must be 1-32 of a-z A-Z 0-9 '-' '_', starting with a letter, and not 'id'")
    }
}
