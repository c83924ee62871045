/// A state value with its version: the block and transaction that last wrote it. The
/// version is what a client quotes to prove which write it read.
public struct VersionedValue: Equatable, Sendable {
    public var value: [UInt8]
    public var block: UInt64
    public var transaction: UInt32

    public init(value: [UInt8], block: UInt64, transaction: UInt32) {
        self.value = value
        self.block = block
        self.transaction = transaction
    }
}
