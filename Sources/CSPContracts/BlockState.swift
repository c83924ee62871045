import CSPFormat

/// The state a transaction executes against: the committed state overlaid with the
/// writes of this block's earlier valid transactions (read-your-block's-writes).
public final class BlockState {
    private let base: any StateReader
    /// Latest value per key written in this block; nil inside means deleted.
    private var overlay: [[UInt8]: [UInt8]?] = [:]

    public init(base: any StateReader) { self.base = base }

    public func value(for key: [UInt8]) throws -> [UInt8]? {
        if let written = overlay[key] { return written }
        return try base.value(for: key)
    }

    /// Makes a valid transaction's writes visible to the rest of the block.
    public func apply(_ writes: [StateWrite]) {
        for write in writes { overlay[write.key] = .some(write.value) }
    }
}
