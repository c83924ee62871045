import CSPContracts
import CSPFormat
import XCTest

final class SystemAccountsTests: XCTestCase {
    private let alice = Creator(organization: "Acme", id: "alice", role: "customer")
    private let root = Creator(organization: "Acme", id: "root", role: "admin")
    private let betaAdmin = Creator(organization: "Beta", id: "boss", role: "admin")
    private let bob = Creator(organization: "Beta", id: "bob", role: "enterprise")
    private let roles = ["customer", "enterprise", "department", "regulator", "node", "admin"]
    private var caller: SystemCaller!

    override func setUp() {
        let roles = self.roles
        caller = SystemCaller { call, state in
            try SystemAccounts.execute(call, organizations: ["Acme", "Beta"], roles: roles, &state)
        }
    }

    func testSelfRegistration() throws {
        let outcome = try caller.success(alice, "account", "register", ["displayName": "Alice Liu", "phone": "+86 10 1234", "email": "a@example.com"])
        XCTAssertEqual(caller.state.text("account/Acme/alice"),
                       #"{"account":"Acme/alice","contact":{"email":"a@example.com","phone":"+86 10 1234"},"displayName":"Alice Liu","id":"alice","organization":"Acme","registered":{"block":5,"by":"Acme/alice","time":1700000000000},"role":"customer","status":"active"}"#)
        XCTAssertEqual(outcome.events, [ContractEvent(name: "register", payload: Array(#"{"account":"Acme/alice"}"#.utf8))])
        XCTAssertEqual(outcome.accounts, ["Acme/alice"])
        // Naming itself and its own role is the same thing.
        try caller.success(bob, "account", "register", ["displayName": "Bob", "account": "Beta/bob", "role": "enterprise"])
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "Alice"]), "account.register: account 'Acme/alice' is already registered")
    }

    func testSelfRegistrationKeepsTheCertificatesRole() throws {
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "Alice", "role": "admin"]),
                       "account.register: an account registering itself has its certificate's role 'customer', not 'admin'")
    }

    func testAdminRegistersStaff() throws {
        let outcome = try caller.success(root, "account", "register", ["displayName": "Desk", "account": "Acme/desk", "role": "enterprise"])
        XCTAssertEqual(caller.state.text("account/Acme/desk"),
                       #"{"account":"Acme/desk","contact":{},"displayName":"Desk","id":"desk","organization":"Acme","registered":{"block":5,"by":"Acme/root","time":1700000000000},"role":"enterprise","status":"active"}"#)
        XCTAssertEqual(outcome.accounts, ["Acme/desk"], "the registered account's index lists it")
        // Not of another member organisation: its own admins speak for its people.
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Bob", "account": "Beta/bob", "role": "enterprise"]),
                       "account.register: an admin of 'Acme' may not register accounts of 'Beta'")
        try caller.success(betaAdmin, "account", "register", ["displayName": "Bob", "account": "Beta/bob", "role": "enterprise"])
    }

    func testRegistrationRefusals() throws {
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "Bob", "account": "Acme/bob", "role": "customer"]),
                       "account.register: only role 'admin' may register another account than its own ('Acme/bob')")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "Gamma/eve", "role": "customer"]),
                       "account.register: organization 'Gamma' is not a member of the channel")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "eve", "role": "customer"]),
                       "account.register: account 'eve' is not ORGANIZATION/ID")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "Acme/", "role": "customer"]),
                       "account.register: account 'Acme/': the id must be 1 to 64 letters, digits and - _ . @")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "Acme/e ve", "role": "customer"]),
                       "account.register: account 'Acme/e ve': the id must be 1 to 64 letters, digits and - _ . @")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "Acme/" + String(repeating: "e", count: 65), "role": "customer"]),
                       "account.register: account 'Acme/\(String(repeating: "e", count: 65))': the id must be 1 to 64 letters, digits and - _ . @")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "Acme/eve"]),
                       "account.register: missing argument 'role' (the role of account 'Acme/eve')")
        XCTAssertEqual(try caller.failure(root, "account", "register", ["displayName": "Eve", "account": "Acme/eve", "role": "boss"]),
                       "account.register: unknown role 'boss' (roles: customer, enterprise, department, regulator, node, admin)")
        XCTAssertEqual(try caller.failure(alice, "account", "register", [:]), "account.register: missing argument 'displayName'")
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "A", "fax": "1"]), "account.register: unexpected argument 'fax'")
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": ""]), "account.register: argument 'displayName' must not be empty")
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "A\nB"]),
                       "account.register: argument 'displayName' must not contain control characters")
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "A", "address": String(repeating: "x", count: 257)]),
                       "account.register: argument 'address' is longer than 256 bytes")
        XCTAssertEqual(try caller.failure(alice, "account", "rename", [:]), "account.rename: no such function")
    }

    func testDeregistration() throws {
        try caller.success(alice, "account", "register", ["displayName": "Alice"])
        caller.block = BlockContext(number: 9, timestamp: 1_700_000_500_000)
        let outcome = try caller.success(alice, "account", "deregister")
        XCTAssertEqual(outcome.events, [ContractEvent(name: "deregister", payload: Array(#"{"account":"Acme/alice"}"#.utf8))])
        let record = try XCTUnwrap(caller.state.values[SystemAccounts.key("Acme/alice")])
        XCTAssertTrue(SystemAccounts.isDeregistered(record))
        XCTAssertEqual(systemText(record),
                       #"{"account":"Acme/alice","contact":{},"deregistered":{"block":9,"by":"Acme/alice","time":1700000500000},"displayName":"Alice","id":"alice","organization":"Acme","registered":{"block":5,"by":"Acme/alice","time":1700000000000},"role":"customer","status":"deregistered"}"#)
        // The name stays taken: a deregistered account is never registered again.
        XCTAssertEqual(try caller.failure(alice, "account", "register", ["displayName": "Alice"]),
                       "account.register: account 'Acme/alice' was deregistered; its name cannot be registered again")
        XCTAssertEqual(try caller.failure(root, "account", "deregister", ["account": "Acme/alice"]),
                       "account.deregister: account 'Acme/alice' is already deregistered")
    }

    func testAdminDeregistersOthers() throws {
        try caller.success(bob, "account", "register", ["displayName": "Bob"])
        XCTAssertEqual(try caller.failure(alice, "account", "deregister", ["account": "Beta/bob"]),
                       "account.deregister: only the account itself or role 'admin' of its organization may deregister 'Beta/bob'")
        XCTAssertEqual(try caller.failure(root, "account", "deregister", ["account": "Beta/bob"]),
                       "account.deregister: only the account itself or role 'admin' of its organization may deregister 'Beta/bob'")
        let outcome = try caller.success(betaAdmin, "account", "deregister", ["account": "Beta/bob"])
        XCTAssertEqual(outcome.accounts, ["Beta/bob"])
        XCTAssertTrue(SystemAccounts.isDeregistered(caller.state.values[SystemAccounts.key("Beta/bob")]))
        XCTAssertEqual(try caller.failure(root, "account", "deregister", ["account": "Acme/nobody"]),
                       "account.deregister: account 'Acme/nobody' is not registered")
        XCTAssertEqual(try caller.failure(root, "account", "deregister", ["account": "Acme/nobody", "why": "x"]),
                       "account.deregister: unexpected argument 'why'")
    }

    func testIsDeregisteredReadsOnlyTheStatus() {
        XCTAssertFalse(SystemAccounts.isDeregistered(nil))
        XCTAssertFalse(SystemAccounts.isDeregistered(Array("not json".utf8)))
        // A display name that looks like the status does not fool it.
        XCTAssertFalse(SystemAccounts.isDeregistered(Array(#"{"displayName":"\"status\":\"deregistered\"","status":"active"}"#.utf8)))
        XCTAssertTrue(SystemAccounts.isDeregistered(Array(#"{"status":"deregistered"}"#.utf8)))
    }
}

/// World state in a dictionary, for the system contracts' tests.
final class SystemTestState: StateReader {
    var values: [[UInt8]: [UInt8]] = [:]

    func value(for key: [UInt8]) throws -> [UInt8]? { values[key] }

    func text(_ key: String) -> String? { values[Array(key.utf8)].map { String(decoding: $0, as: UTF8.self) } }
}

/// Calls a system contract as the executor would, one transaction at a time, and
/// applies the writes of successful calls.
struct SystemCaller {
    let state = SystemTestState()
    var block = BlockContext(number: 5, timestamp: 1_700_000_000_000)
    let run: (ContractCall, inout TransactionState) throws -> ContractOutcome

    /// The outcome, or the failure's reason (the state unchanged then).
    func call(_ creator: Creator, _ contract: String, _ function: String, _ arguments: [String: String] = [:]) throws
        -> Result<ContractOutcome, ContractFailure> {
        let body = try TransactionBody(channel: "consortium", timestamp: block.timestamp, nonce: Array(repeating: 1, count: 16),
                                       creator: Array("certificate of \(creator.account)".utf8), contract: contract, function: function,
                                       arguments: arguments.sorted { $0.key < $1.key }.map { TransactionArgument(name: $0.key, text: $0.value) })
        let call = ContractCall(transaction: Transaction(body: body, signature: []), creator: creator, block: block, position: 0)
        let blockState = BlockState(base: state)
        var scratch = TransactionState(block: blockState)
        do {
            let outcome = try run(call, &scratch)
            for write in scratch.writes { state.values[write.key] = write.value }
            return .success(outcome)
        } catch let failure as ContractFailure {
            return .failure(failure)
        }
    }

    /// The reason of a call expected to fail, checking that it changed nothing.
    func failure(_ creator: Creator, _ contract: String, _ function: String, _ arguments: [String: String] = [:],
                 file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let before = state.values
        switch try call(creator, contract, function, arguments) {
        case .success:
            XCTFail("\(contract).\(function) succeeded", file: file, line: line)
            return ""
        case .failure(let failure):
            XCTAssertEqual(state.values, before, "a failed call changes nothing", file: file, line: line)
            return failure.reason
        }
    }

    @discardableResult
    func success(_ creator: Creator, _ contract: String, _ function: String, _ arguments: [String: String] = [:],
                 file: StaticString = #filePath, line: UInt = #line) throws -> ContractOutcome {
        switch try call(creator, contract, function, arguments) {
        case .success(let outcome): return outcome
        case .failure(let failure):
            XCTFail("\(contract).\(function) failed: \(failure.reason)", file: file, line: line)
            return ContractOutcome()
        }
    }
}

func systemText(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
