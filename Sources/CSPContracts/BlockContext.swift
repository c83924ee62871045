/// Where a call executes: the block's number and timestamp (milliseconds, from the signed
/// header). The only clock a contract may read: deadlines and timelines computed from it
/// come out the same on every node.
public struct BlockContext: Equatable, Sendable {
    public var number: UInt64
    public var timestamp: UInt64

    public init(number: UInt64, timestamp: UInt64) {
        self.number = number
        self.timestamp = timestamp
    }
}
