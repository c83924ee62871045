import CSPBasics
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

/// What an access node checks of each block before keeping its header (HeaderVerifier):
/// real certificates and signatures, each failure named with the block and the reason.
final class HeaderVerifierTests: XCTestCase {
    var channel: TestChannel!
    var previous: BlockHeader!

    override func setUpWithError() throws {
        channel = try TestChannel()
        var header = BlockHeader(channel: "consortium", number: 0, previousHash: .zero, merkleRoot: SHA256.hash("genesis"),
                                 commitHash: SHA256.hash("state after block 0"), timestamp: referenceMilliseconds - 1000,
                                 orderer: channel.orderer.certificate.der, transactionCount: 1)
        header.commitHash = SHA256.hash("state after block 0")
        previous = header
    }

    /// Block 1 over `transactions` with `validations` and `effects`, signed by the orderer;
    /// `alter` changes the header before it is signed (a lying orderer signs anything).
    func block(_ transactions: [Transaction], validations: [Validation]? = nil, effects: [TransactionEffects]? = nil,
               alter: (inout BlockHeader) -> Void = { _ in }) throws -> CommittedBlock {
        let validations = validations ?? transactions.map { _ in .valid }
        let effects = effects ?? transactions.map { _ in TransactionEffects(writes: [StateWrite(key: bytes("k"), value: bytes("v"))]) }
        var record = CommittedBlock(block: Block(header: BlockHeader(channel: "consortium", number: 1, previousHash: previous.hash,
                                                                      merkleRoot: Block.merkleRoot(of: transactions), commitHash: .zero,
                                                                      timestamp: referenceMilliseconds + 1000,
                                                                      orderer: channel.orderer.certificate.der,
                                                                      transactionCount: UInt32(transactions.count)),
                                                 signature: [], transactions: transactions, validations: validations),
                                    effects: effects)
        record.block.header.commitHash = try record.commitHash(previous: previous.commitHash)
        alter(&record.block.header)
        record.block.signature = try channel.orderer.key.signature(forDigest: record.block.header.hash)
        return record
    }

    func verify(_ record: CommittedBlock) throws -> ChannelConfig? {
        try HeaderVerifier(rules: try channel.rules()).verify(record, after: previous)
    }

    func testAVerifiedBlockPasses() throws {
        let record = try block([try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])])
        XCTAssertNil(try verify(record), "no configuration change")
    }

    func testABadSignatureIsRefused() throws {
        var record = try block([try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])])
        record.block.signature[record.block.signature.count / 2] ^= 0x01
        XCTAssertEqual(errorMessage { try self.verify(record) }, "block 1: the orderer's signature does not verify")
        // Signed by someone else than the channel's orderer.
        var forged = try block([try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])])
        forged.block.signature = try channel.admin.key.signature(forDigest: forged.block.header.hash)
        XCTAssertEqual(errorMessage { try self.verify(forged) }, "block 1: the orderer's signature does not verify")
    }

    func testABrokenChainIsRefused() throws {
        let transaction = try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])
        let unchained = try block([transaction]) { $0.previousHash = SHA256.hash("elsewhere") }
        XCTAssertEqual(errorMessage { try self.verify(unchained) }, "block 1: its previous hash does not chain to block 0")
        let skipping = try block([transaction]) { $0.number = 2 }
        XCTAssertEqual(errorMessage { try self.verify(skipping) }, "block 2: it is not the next block (height 1)")
        let older = try block([transaction]) { $0.timestamp = self.previous.timestamp - 1 }
        XCTAssertEqual(errorMessage { try self.verify(older) },
                       "block 1: its timestamp \(previous.timestamp - 1) is before the previous block's (\(previous.timestamp))")
    }

    func testABadMerkleRootIsRefused() throws {
        let transactions = [try channel.alice.transaction("kv", "put", ["key": "a", "value": "1"]),
                            try channel.alice.transaction("kv", "put", ["key": "b", "value": "2"])]
        // Signed over a root of other transactions.
        let record = try block(transactions) { $0.merkleRoot = SHA256.hash("other transactions") }
        XCTAssertEqual(errorMessage { try self.verify(record) }, "block 1: its Merkle root does not match its transactions")
        // A transaction swapped after signing.
        var swapped = try block(transactions)
        swapped.block.transactions[1] = try channel.alice.transaction("kv", "put", ["key": "b", "value": "3"])
        XCTAssertEqual(errorMessage { try self.verify(swapped) }, "block 1: its Merkle root does not match its transactions")
    }

    func testCodesAndWritesMustGiveTheSignedCommitHash() throws {
        var record = try block([try channel.alice.transaction("kv", "put", ["key": "k", "value": "v"])])
        record.effects[0].writes[0].value = bytes("tampered")
        XCTAssertEqual(errorMessage { try self.verify(record) },
                       "block 1: its recorded validation codes and writes do not give the commit hash its signed header carries")
    }

    func testAdmissionUnderTheConfigurationInForceAtTheBlock() throws {
        let stranger = try TestOrganization("Evil").member("eve", role: "customer")
        let transaction = try stranger.transaction("kv", "put", ["key": "k", "value": "v"])
        let recordedValid = try block([transaction])
        let message = errorMessage { try self.verify(recordedValid) }
        XCTAssertTrue(message.hasPrefix("block 1: transaction 0 (\(transaction.id.hex)) is recorded as valid but admission under the configuration in force at the block gives unknown-creator ("), message)
        // Recorded with the refusal admission gives: verified.
        let admission = try channel.rules().admit(transaction, now: Date(timeIntervalSince1970: Double(referenceMilliseconds + 1000) / 1000))
        XCTAssertNil(try verify(try block([transaction], validations: [admission.validation], effects: [TransactionEffects()])))
    }

    func testAConfigurationBlockIsExecutedAgainAndPutsItsConfigurationInForce() throws {
        let rules = try channel.rules()
        let transaction = try channel.admin.transaction("config", "set-cutting", ["maxTransactions": "7"])
        let at = referenceMilliseconds + 1000
        let execution = try Executor(rules: rules).execute(
            [transaction], admitted: [rules.admit(transaction, now: Date(timeIntervalSince1970: Double(at) / 1000))],
            block: BlockContext(number: 1, timestamp: at), state: MemoryState(), isDuplicate: { _ in false })
        XCTAssertEqual(execution.validations, [.valid])
        let record = try block([transaction], validations: execution.validations, effects: execution.effects)
        XCTAssertEqual(try verify(record)?.blockCutting.maxTransactions, 7)

        // An orderer that signs another configuration than the transaction makes is caught.
        var lie = channel.config
        lie.blockCutting.maxTransactions = 9999
        var effects = execution.effects
        effects[0].writes = effects[0].writes.map { $0.key == Executor.configKey ? StateWrite(key: $0.key, value: lie.canonicalJSON()) : $0 }
        let lying = try block([transaction], validations: execution.validations, effects: effects)
        XCTAssertEqual(errorMessage { try self.verify(lying) },
                       "block 1: its configuration transaction is recorded as valid with its writes, but executing it again gives valid with other effects")
    }
}
