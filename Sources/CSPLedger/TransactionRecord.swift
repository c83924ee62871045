import CSPFormat

/// A committed transaction with everything needed to explain it: where it sits, whether
/// it was valid and why not, and what executing it did.
public struct TransactionRecord: Equatable, Sendable {
    public var transaction: Transaction
    public var validation: Validation
    /// The number of the block holding it.
    public var block: UInt64
    /// Its position in that block.
    public var index: UInt32
    public var effects: TransactionEffects
    /// The block header's timestamp: when the orderer cut the block.
    public var blockTimestamp: UInt64

    public init(transaction: Transaction, validation: Validation, block: UInt64, index: UInt32,
                effects: TransactionEffects, blockTimestamp: UInt64) {
        self.transaction = transaction
        self.validation = validation
        self.block = block
        self.index = index
        self.effects = effects
        self.blockTimestamp = blockTimestamp
    }

    /// The record of transaction `index` of `record`.
    init(_ record: CommittedBlock, number: UInt64, index: Int) {
        self.init(transaction: record.block.transactions[index], validation: record.block.validations[index],
                  block: number, index: UInt32(index), effects: record.effects[index],
                  blockTimestamp: record.block.header.timestamp)
    }
}
