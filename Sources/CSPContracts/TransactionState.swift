import CSPFormat

/// One transaction's view: reads see its own writes first. Its writes reach the block
/// only if the contract succeeds, so a failed call leaves no trace.
public struct TransactionState {
    private let block: BlockState
    public private(set) var writes: [StateWrite] = []
    private var pending: [[UInt8]: [UInt8]?] = [:]

    public init(block: BlockState) { self.block = block }

    public func value(for key: [UInt8]) throws -> [UInt8]? {
        if let written = pending[key] { return written }
        return try block.value(for: key)
    }

    public mutating func write(_ key: [UInt8], _ value: [UInt8]?) {
        pending[key] = .some(value)
        writes.append(StateWrite(key: key, value: value))
    }
}
