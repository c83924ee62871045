import CSPCrypto
import CSPFormat

/// Builds a valid chain of real blocks for the tests: transactions signed by a P-256 key,
/// headers signed by the "orderer", Merkle roots and commit hashes computed as a node
/// would. Each `block` call continues the chain unless told not to, so a test can also
/// build the wrong next block on purpose. Shared by the ledger and KV-R tests.
public final class ChainBuilder {
    /// One key for every test: generating keys is the slow part, signing is not.
    public static let key: P256PrivateKey = try! P256PrivateKey.generate()
    /// Stands in for a DER certificate; the storage layer never parses it.
    public static let certificate: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x07]

    /// A transaction with what executing it did and how it was judged.
    public struct Entry {
        public var transaction: Transaction
        public var validation: Validation
        public var effects: TransactionEffects

        public init(transaction: Transaction, validation: Validation, effects: TransactionEffects) {
            self.transaction = transaction
            self.validation = validation
            self.effects = effects
        }
    }

    public let channel: String
    public private(set) var height: UInt64 = 0
    public private(set) var lastHash = SHA256Digest.zero
    public private(set) var lastCommit = SHA256Digest.zero
    private var counter: UInt64 = 0
    /// Block timestamps start here and grow by one second per block.
    public static let epoch: UInt64 = 1_764_028_800_000

    public init(channel: String = "consortium") {
        self.channel = channel
    }

    /// A freshly signed transaction; the nonce counter makes every one unique.
    public func transaction(contract: String = "kv", function: String = "put", arguments: [String: String] = [:]) throws -> Transaction {
        counter += 1
        var nonce: [UInt8] = []
        withUnsafeBytes(of: counter.bigEndian) { nonce.append(contentsOf: $0) }
        let body = try TransactionBody(channel: channel, timestamp: Self.epoch + counter, nonce: nonce,
                                       creator: Self.certificate, contract: contract, function: function,
                                       arguments: arguments.map { TransactionArgument(name: $0.key, text: $0.value) })
        return try Transaction(signing: body, with: Self.key)
    }

    public func put(_ key: String, _ value: String, accounts: [String] = []) throws -> Entry {
        Entry(transaction: try transaction(arguments: ["key": key, "value": value]), validation: .valid,
              effects: TransactionEffects(writes: [StateWrite(key: Array(key.utf8), value: Array(value.utf8))], accounts: accounts))
    }

    public func delete(_ key: String, accounts: [String] = []) throws -> Entry {
        Entry(transaction: try transaction(function: "delete", arguments: ["key": key]), validation: .valid,
              effects: TransactionEffects(writes: [StateWrite(key: Array(key.utf8), value: nil)], accounts: accounts))
    }

    /// A valid transaction with several writes (applied in order).
    public func writes(_ writes: [(String, String?)], accounts: [String] = []) throws -> Entry {
        Entry(transaction: try transaction(function: "batch"), validation: .valid,
              effects: TransactionEffects(writes: writes.map { StateWrite(key: Array($0.0.utf8), value: $0.1.map { Array($0.utf8) }) },
                                          accounts: accounts))
    }

    /// An invalid transaction; its effects are carried but must not reach the state.
    public func invalid(_ code: ValidationCode, reason: String, transaction: Transaction? = nil,
                 writes: [StateWrite] = [], accounts: [String] = []) throws -> Entry {
        Entry(transaction: try transaction ?? self.transaction(), validation: Validation(code: code, reason: reason),
              effects: TransactionEffects(writes: writes, accounts: accounts))
    }

    /// The next block over `entries`. `advance: false` leaves the chain position alone;
    /// the overrides build a deliberately wrong block (the commit hash is then still the
    /// one the effects give unless overridden too).
    public func block(_ entries: [Entry], advance: Bool = true, number: UInt64? = nil, previousHash: SHA256Digest? = nil,
               commitHash: SHA256Digest? = nil, channel: String? = nil) throws -> CommittedBlock {
        let transactions = entries.map(\.transaction)
        var header = BlockHeader(channel: channel ?? self.channel, number: number ?? height, previousHash: previousHash ?? lastHash,
                                 merkleRoot: Block.merkleRoot(of: transactions), commitHash: .zero,
                                 timestamp: Self.epoch + (number ?? height) * 1000, orderer: Self.certificate,
                                 transactionCount: UInt32(transactions.count))
        let draft = CommittedBlock(block: Block(header: header, signature: [], transactions: transactions,
                                                validations: entries.map(\.validation)),
                                   effects: entries.map(\.effects))
        let computed = try draft.commitHash(previous: lastCommit)
        header.commitHash = commitHash ?? computed
        let signature = try Self.key.signature(forDigest: header.hash)
        let record = CommittedBlock(block: Block(header: header, signature: signature, transactions: transactions,
                                                 validations: entries.map(\.validation)),
                                    effects: entries.map(\.effects))
        if advance {
            height += 1
            lastHash = header.hash
            lastCommit = computed
        }
        return record
    }

    /// `count` blocks of `perBlock` puts each, keys `k/<block>/<i>`.
    public func blocks(_ count: Int, perBlock: Int = 2) throws -> [CommittedBlock] {
        try (0..<count).map { _ in
            let number = height
            return try block((0..<perBlock).map { try put("k/\(number)/\($0)", "v\(number).\($0)") })
        }
    }
}

