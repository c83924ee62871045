import CSPChannel
import XCTest

final class AccessPolicyTests: XCTestCase {
    func testMostSpecificInvokeKeyWins() {
        let policy = AccessPolicy(invoke: [
            "*": ["admin", "enterprise"],
            "kv.*": ["customer", "enterprise"],
            "kv.delete": ["admin"],
        ])
        // The function's own entry decides alone: enterprise loses delete although
        // both broader entries grant it, and admin gains it although kv.* does not.
        XCTAssertTrue(policy.mayInvoke(role: "admin", contract: "kv", function: "delete"))
        XCTAssertFalse(policy.mayInvoke(role: "enterprise", contract: "kv", function: "delete"))
        XCTAssertFalse(policy.mayInvoke(role: "customer", contract: "kv", function: "delete"))
        // The contract's wildcard beats "*".
        XCTAssertTrue(policy.mayInvoke(role: "customer", contract: "kv", function: "put"))
        XCTAssertFalse(policy.mayInvoke(role: "admin", contract: "kv", function: "put"))
        // "*" covers everything else.
        XCTAssertTrue(policy.mayInvoke(role: "admin", contract: "demand", function: "submit"))
        XCTAssertFalse(policy.mayInvoke(role: "customer", contract: "demand", function: "submit"))
        // An empty list denies everyone at that level.
        let closed = AccessPolicy(invoke: ["*": ["admin"], "kv.*": []])
        XCTAssertFalse(closed.mayInvoke(role: "admin", contract: "kv", function: "put"))
    }

    func testNothingGrantedIsDenied() {
        let empty = AccessPolicy()
        XCTAssertFalse(empty.mayInvoke(role: "admin", contract: "kv", function: "put"))
        XCTAssertFalse(empty.mayRead(role: "admin", "state"))
    }

    func testReadKindOverridesStar() {
        let policy = AccessPolicy(read: ["*": ["regulator", "enterprise"], "block": ["regulator"], "state": ["customer"]])
        XCTAssertTrue(policy.mayRead(role: "regulator", "history"))
        XCTAssertTrue(policy.mayRead(role: "enterprise", "history"))
        XCTAssertFalse(policy.mayRead(role: "enterprise", "block"))
        XCTAssertTrue(policy.mayRead(role: "regulator", "block"))
        XCTAssertTrue(policy.mayRead(role: "customer", "state"))
        XCTAssertFalse(policy.mayRead(role: "regulator", "state"))
        XCTAssertFalse(policy.mayRead(role: "customer", "events"))
    }

    /// Nodes replicate channels with `blocks`: a node may read blocks whatever the policy
    /// says, and nothing else it is not granted.
    func testNodesMayAlwaysReadBlocksOnly() {
        let empty = AccessPolicy()
        XCTAssertTrue(empty.mayRead(role: "node", "block"))
        XCTAssertFalse(empty.mayRead(role: "node", "state"))
        XCTAssertFalse(empty.mayRead(role: "node", "events"))
        XCTAssertFalse(empty.mayRead(role: "customer", "block"))
        XCTAssertTrue(AccessPolicy(read: ["state": ["node"]]).mayRead(role: "node", "state"))
    }

    func testDecodeForSetPolicy() throws {
        let policy = try AccessPolicy.decode(json: Array(#"{"invoke":{"kv.put":["customer"]}}"#.utf8))
        XCTAssertEqual(policy, AccessPolicy(invoke: ["kv.put": ["customer"]], read: [:]))
        XCTAssertEqual(errorMessage { try AccessPolicy.decode(json: Array(#"{"invoke":{"kv.put":["clerk"]}}"#.utf8)) },
                       "policy.invoke 'kv.put': unknown role 'clerk' (roles: customer, enterprise, department, regulator, node, admin)")
        XCTAssertEqual(errorMessage { try AccessPolicy.decode(json: Array(#"{"invoke":{},"write":{}}"#.utf8)) }, "unknown field 'write'")
        XCTAssertEqual(errorMessage { try AccessPolicy.decode(json: Array("invoke: {}".utf8)) }.hasPrefix("not valid JSON: "), true)
    }

    func testConfigCallsAnswerToConfigKeysOnly() throws {
        let broad = AccessPolicy(invoke: ["*": ["customer", "enterprise"]])
        XCTAssertFalse(broad.mayInvokeConfig(role: "customer", function: "set-policy"), "'*' never grants configuration")
        XCTAssertTrue(broad.mayInvokeConfig(role: "admin", function: "set-policy"), "no config key: role admin")
        let staff = AccessPolicy(invoke: ["config.*": ["enterprise"], "config.set-crl": ["admin"]])
        XCTAssertTrue(staff.mayInvokeConfig(role: "enterprise", function: "set-policy"))
        XCTAssertFalse(staff.mayInvokeConfig(role: "admin", function: "set-policy"), "a config key replaces the default")
        XCTAssertTrue(staff.mayInvokeConfig(role: "admin", function: "set-crl"))
        XCTAssertFalse(staff.mayInvokeConfig(role: "enterprise", function: "set-crl"))
    }

    func testAPolicyNobodyCouldReplaceIsRefused() {
        XCTAssertEqual(errorMessage { try AccessPolicy.decode(json: Array(#"{"invoke":{"config.*":[]}}"#.utf8)) },
                       "policy.invoke: no role may call config.set-policy, so the policy could never be changed again")
        XCTAssertEqual(errorMessage { try AccessPolicy.decode(json: Array(#"{"invoke":{"config.set-policy":[]}}"#.utf8)) },
                       "policy.invoke: no role may call config.set-policy, so the policy could never be changed again")
    }
}
