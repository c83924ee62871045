import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

/// The executor with the system contracts and the workflow engine: dispatch, the
/// deregistered-account refusal, and the accounts a transaction's effects list.
final class ExecutorSystemContractsTests: XCTestCase {
    private var channel: TestChannel!
    private var rules: ChannelRules!
    private var betaAdmin: Identity!

    override func setUpWithError() throws {
        channel = try TestChannel()
        channel.config.policy.invoke["account.*"] = ["customer", "enterprise", "admin"]
        channel.config.policy.invoke["contract.*"] = ["admin"]
        channel.config.policy.invoke["*"] = ["customer", "enterprise", "admin"]
        rules = try channel.rules()
        betaAdmin = try channel.beta.member("boss", role: "admin")
    }

    /// Executes one block against `state` and commits its valid writes there.
    @discardableResult
    private func run(_ transactions: [Transaction], _ state: MemoryState) throws -> BlockExecution {
        let admitted = transactions.map { rules.admit($0, now: referenceNow) }
        let result = try Executor(rules: rules).execute(transactions, admitted: admitted, block: testBlock, state: state) { _ in false }
        state.commit(result)
        return result
    }

    private func register(_ who: Identity, _ arguments: [String: String] = ["displayName": "Someone"]) throws -> Transaction {
        try who.transaction("account", "register", arguments)
    }

    func testDeregisteredCreatorIsRefusedWithCode11() throws {
        let state = MemoryState()
        let put = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])
        // Registered, deregistered, then a put: all in one block, the put sees the deregistration.
        let result = try run([try register(channel.alice), try channel.alice.transaction("account", "deregister"), put], state)
        XCTAssertEqual(result.validations.map(\.code), [.valid, .valid, .deregisteredAccount])
        XCTAssertEqual(result.validations[2].reason, "account 'Acme/alice' is deregistered")
        XCTAssertEqual(result.effects[2], .none)
        XCTAssertNil(state.values[bytes("kv/k")], "the refused transaction wrote nothing")
        XCTAssertEqual(ValidationCode.deregisteredAccount.rawValue, 11)
        XCTAssertEqual(ValidationCode.deregisteredAccount.description, "deregistered-account")
        XCTAssertFalse(BlockExecution.consumesID(.deregisteredAccount))

        // In a later block too, and for the account contract itself; others are unaffected.
        let later = try run([try channel.alice.transaction("kv", "put", ["key": "k2", "value": "v"]),
                             try register(channel.alice), try channel.bob.transaction("kv", "put", ["key": "k3", "value": "v"])], state)
        XCTAssertEqual(later.validations.map(\.code), [.deregisteredAccount, .deregisteredAccount, .valid])
        XCTAssertEqual(try Executor.deregistration(of: Creator(organization: "Acme", id: "alice", role: "customer"), in: state),
                       Validation(code: .deregisteredAccount, reason: "account 'Acme/alice' is deregistered"))
        XCTAssertNil(try Executor.deregistration(of: Creator(organization: "Beta", id: "bob", role: "enterprise"), in: state))
    }

    func testUnknownNamesGoToTheEngine() throws {
        let result = try run([try channel.alice.transaction("nosuch", "do", ["id": "x1"])], MemoryState())
        XCTAssertEqual(result.validations, [Validation(code: .unknownContract, reason: "no contract 'nosuch'")])
        XCTAssertEqual(result.effects, [.none])
        // A built-in name with a function it lacks stays unknown when a stale admission let it by.
        let stale = try channel.alice.transaction("account", "rename")
        let forced = try Executor(rules: rules).execute([stale], admitted: [.admitted(Creator(organization: "Acme", id: "alice", role: "customer"))],
                                                        block: testBlock, state: MemoryState()) { _ in false }
        XCTAssertEqual(forced.validations, [Validation(code: .unknownContract, reason: "contract 'account' has no function 'rename'")])
    }

    /// A definition both organisations approve, then an instance: the effects list the
    /// creator first, then the accounts the call concerns, sorted.
    func testLifecycleAndWorkflowThroughTheExecutor() throws {
        let state = MemoryState()
        let definition = """
        {"name":"ticket","version":1,"organizations":["Acme","Beta"],
         "parties":{"opener":{"role":"enterprise"}},
         "fields":{"assignee":{"type":"account"},"helper":{"type":"account"}},
         "states":["open","closed"],"initial":"open","final":["closed"],
         "transitions":{
           "open":{"from":[],"to":"open","by":[{"role":"enterprise"}],"bind":["opener"],"requires":["assignee","helper"],
                   "operators":[{"field":"assignee"},{"field":"helper"}]},
           "close":{"from":["open"],"to":"closed","by":[{"operator":true}]}}}
        """
        let hash = try WorkflowDefinition(json: bytes(definition)).hash.hex
        let zed = try channel.acme.member("zed", role: "customer")
        var result = try run([
            try register(channel.alice), try register(zed), try register(channel.bob),
            try channel.admin.transaction("contract", "propose", ["definition": definition]),
            try channel.admin.transaction("contract", "approve", ["name": "ticket", "version": "1", "hash": hash]),
        ], state)
        XCTAssertEqual(result.validations, Array(repeating: .valid, count: 5))
        XCTAssertEqual(result.effects[0].accounts, ["Acme/alice"], "the creator once, though the outcome names it too")
        XCTAssertEqual(result.effects[3].events.map(\.name), ["propose"])

        // Not active yet: the engine does not know it.
        let early = try channel.bob.transaction("ticket", "open", ["id": "t1", "assignee": "Acme/zed", "helper": "Acme/alice"])
        XCTAssertEqual(try run([early], state).validations, [Validation(code: .unknownContract, reason: "no contract 'ticket'")])

        result = try run([try betaAdmin.transaction("contract", "approve", ["name": "ticket", "version": "1", "hash": hash])], state)
        XCTAssertEqual(result.validations, [.valid])
        XCTAssertEqual(result.effects[0].events.map(\.name), ["approve", "activate"])
        XCTAssertEqual(state.values[bytes("contract/active/ticket")], bytes(#"{"hash":"\#(hash)","version":1}"#))

        let open = try channel.bob.transaction("ticket", "open", ["id": "t1", "assignee": "Acme/zed", "helper": "Acme/alice"])
        result = try run([open], state)
        XCTAssertEqual(result.validations, [.valid])
        XCTAssertEqual(result.effects[0].accounts, ["Beta/bob", "Acme/alice", "Acme/zed"])

        // An admin registering staff: the staff account is listed beside the admin.
        result = try run([try betaAdmin.transaction("account", "register", ["displayName": "Desk", "account": "Beta/desk", "role": "enterprise"])], state)
        XCTAssertEqual(result.validations, [.valid])
        XCTAssertEqual(result.effects[0].accounts.first.map { [$0] + ["Beta/desk"] }, result.effects[0].accounts, "the admin first, then the staff account")
    }

    func testAccountRegistrationNeedsAMemberOrganization() throws {
        let result = try run([try channel.admin.transaction("account", "register", ["displayName": "Eve", "account": "Gamma/eve", "role": "customer"])],
                             MemoryState())
        XCTAssertEqual(result.validations, [Validation(code: .contractFailed, reason: "account.register: organization 'Gamma' is not a member of the channel")])
    }
}
