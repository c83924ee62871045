import CSPBasics
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

/// World state in a dictionary, committed to after each successful call.
final class WorkflowTestState: StateReader {
    var values: [[UInt8]: [UInt8]] = [:]

    func value(for key: [UInt8]) throws -> [UInt8]? { values[key] }

    subscript(_ key: String) -> String? {
        get { values[Array(key.utf8)].map { String(decoding: $0, as: UTF8.self) } }
        set { values[Array(key.utf8)] = newValue.map { Array($0.utf8) } }
    }

    /// Keys starting with `prefix`, sorted.
    func keys(_ prefix: String) -> [String] {
        values.keys.map { String(decoding: $0, as: UTF8.self) }.filter { $0.hasPrefix(prefix) }.sorted()
    }

    func json(_ key: String) throws -> CanonicalJSON.Value {
        guard let bytes = values[Array(key.utf8)] else { throw CocoaError(.fileNoSuchFile) }
        return try CanonicalJSON.parse(bytes)
    }
}

/// A shipped definition's bytes (docs/contracts/NAME.json).
func shippedDefinition(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/contracts/\(name).json")
    return Array(try Data(contentsOf: url))
}

/// A channel's state with definitions deployed and accounts registered as the system
/// contracts store them, and a clock of blocks: each call is one block.
final class WorkflowLedger {
    let state = WorkflowTestState()
    var block: UInt64 = 10
    var time: UInt64 = 1_767_225_600_000   // 2026-01-01T00:00:00Z
    var nonce: UInt32 = 0
    /// Every successful call's writes and events, in order.
    var writes: [StateWrite] = []
    var events: [ContractEvent] = []

    func deploy(_ json: [UInt8]) throws {
        let definition = try WorkflowDefinition(json: json)
        let record = CanonicalJSON.Value.object([
            "name": .string(definition.name), "version": .integer(definition.version), "hash": .string(definition.hash.hex),
            "definition": try CanonicalJSON.parse(definition.canonicalJSON), "status": .string("active"),
        ])
        state.values[Array("contract/def/\(definition.name)/\(definition.version)".utf8)] = CanonicalJSON.encode(record)
        state.values[Array("contract/active/\(definition.name)".utf8)] = CanonicalJSON.encode(
            .object(["version": .integer(definition.version), "hash": .string(definition.hash.hex)]))
    }

    func register(_ creator: Creator, status: String = "active") {
        state.values[Array("account/\(creator.account)".utf8)] = CanonicalJSON.encode(.object([
            "account": .string(creator.account), "organization": .string(creator.organization), "id": .string(creator.id),
            "role": .string(creator.role), "displayName": .string(creator.id), "contact": .object([:]), "status": .string(status),
        ]))
    }

    /// Runs one call in a block of its own; commits its writes when it succeeds.
    @discardableResult
    func call(_ creator: Creator, _ contractFunction: String, _ arguments: [String: String] = [:], endorsers: [Creator] = [],
              advance: UInt64 = 60_000) throws -> ContractOutcome {
        block += 1
        time += advance
        nonce += 1
        let parts = contractFunction.split(separator: ".", maxSplits: 1).map(String.init)
        let body = try TransactionBody(channel: "consortium", timestamp: time, nonce: withUnsafeBytes(of: nonce.bigEndian, Array.init),
                                       creator: Array(creator.account.utf8), contract: parts[0], function: parts[1],
                                       arguments: arguments.map { TransactionArgument(name: $0.key, text: $0.value) })
        let call = ContractCall(transaction: Transaction(body: body, signature: [0]), creator: creator, endorsers: endorsers,
                                block: BlockContext(number: block, timestamp: time), position: 0)
        var scratch = TransactionState(block: BlockState(base: state))
        let outcome = try WorkflowEngine.execute(call, &scratch)
        for write in scratch.writes { state.values[write.key] = write.value }
        writes += scratch.writes
        events += outcome.events
        return outcome
    }

    /// The reason a call is refused with, failing the test when it succeeds. Checks the
    /// refusal changed nothing.
    func refusal(_ creator: Creator, _ contractFunction: String, _ arguments: [String: String] = [:], endorsers: [Creator] = [],
                 file: StaticString = #filePath, line: UInt = #line) -> String {
        let before = state.values
        do {
            try call(creator, contractFunction, arguments, endorsers: endorsers)
            XCTFail("\(contractFunction) was not refused", file: file, line: line)
            return ""
        } catch let failure as ContractFailure {
            XCTAssertEqual(state.values, before, "a refused call changed the state", file: file, line: line)
            return failure.reason
        } catch {
            XCTFail("\(contractFunction) threw \(error), not a contract failure", file: file, line: line)
            return ""
        }
    }

    func instance(_ id: String) throws -> CanonicalJSON.Value { try state.json("wf/\(id)") }
}

/// A fingerprint argument for `name`.
func fingerprintArgument(_ name: String, _ content: String) -> String {
    "{\"name\":\"\(name)\",\"sha256\":\"\(SHA256.hash(Array(content.utf8)).hex)\",\"size\":\(content.utf8.count)}"
}
