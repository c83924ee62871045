/// The committed world state as of the previous block, as the ledger offers it to the
/// executor. A thrown error (an I/O failure) stops the block's execution: it must never
/// turn into a contract failure, which would differ between nodes.
public protocol StateReader {
    func value(for key: [UInt8]) throws -> [UInt8]?
}
