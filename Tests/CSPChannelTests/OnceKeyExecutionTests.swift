import CSPChannel
import CSPContracts
import CSPFormat
import Foundation
import XCTest

/// `csp.once` keys: admission checks their form, the executor lets each take effect
/// once per creator, in the same block or later, and contracts never see them.
final class OnceKeyExecutionTests: XCTestCase {
    private var channel: TestChannel!
    private var rules: ChannelRules!

    override func setUpWithError() throws {
        channel = try TestChannel()
        rules = try channel.rules()
    }

    private func run(_ transactions: [Transaction], _ state: MemoryState, number: UInt64 = 1) throws -> BlockExecution {
        let result = try Executor(rules: rules).execute(transactions, admitted: transactions.map { rules.admit($0, now: referenceNow) },
                                                        block: BlockContext(number: number, timestamp: testBlock.timestamp), state: state) { _ in false }
        state.commit(result)
        return result
    }

    private func put(_ who: Identity, _ value: String, once: String?) throws -> Transaction {
        var arguments = ["key": "meter", "value": value]
        if let once { arguments[TransactionBody.onceArgument] = once }
        return try who.transaction("kv", "put", arguments)
    }

    func testAKeyTakesEffectOncePerCreator() throws {
        let state = MemoryState()
        let first = try put(channel.alice, "1", once: "n-1")
        let result = try run([first, try put(channel.alice, "2", once: "n-1"), try put(channel.bob, "3", once: "n-1")], state, number: 4)
        XCTAssertEqual(result.validations.map(\.code), [.valid, .onceKeyUsed, .valid])
        XCTAssertEqual(result.validations[1].reason, "once key 'n-1' was used by transaction \(first.id.hex) in block 4")
        XCTAssertEqual(result.effects[1], .none)
        // The kv contract saw its two arguments only, and the key is recorded after its write.
        XCTAssertEqual(result.effects[0].writes.map { String(decoding: $0.key, as: UTF8.self) }, ["kv/meter", "once/Acme/alice/n-1"])
        XCTAssertEqual(try OnceKeys.record(account: "Acme/alice", key: "n-1", in: state), OnceKeys.Record(txid: first.id.hex, block: 4, index: 0))
        XCTAssertEqual(state.values[bytes("kv/meter")], bytes("3"), "bob's own key wrote")

        // In a later block too; another key is free; a refused call leaves its key free.
        let later = try run([try put(channel.alice, "4", once: "n-1"), try put(channel.alice, "5", once: "n-2"),
                             try channel.alice.transaction("kv", "put", ["key": "x", TransactionBody.onceArgument: "n-3"]),
                             try put(channel.alice, "6", once: "n-3")], state, number: 5)
        XCTAssertEqual(later.validations.map(\.code), [.onceKeyUsed, .valid, .contractFailed, .valid])
        XCTAssertEqual(ValidationCode.onceKeyUsed.rawValue, 12)
        XCTAssertEqual(ValidationCode.onceKeyUsed.description, "once-key-used")
        XCTAssertFalse(BlockExecution.consumesID(.onceKeyUsed))
    }

    func testAdmissionRefusesKeysThatAreNotKeys() throws {
        for bad in ["", "a/b", "sp ace", String(repeating: "k", count: 129), "é"] {
            let admission = rules.admit(try put(channel.alice, "1", once: bad), now: referenceNow)
            XCTAssertEqual(admission.validation.code, .malformed, bad)
            XCTAssertTrue(admission.validation.reason.hasPrefix("once key "), admission.validation.reason)
        }
        XCTAssertTrue(rules.admit(try put(channel.alice, "1", once: "cron:nightly@host_1+2026-11-30.a"), now: referenceNow).isAdmitted)
    }
}
