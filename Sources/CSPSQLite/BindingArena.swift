/// Memory that holds the text and blob bytes of the rows bound to a statement until it is
/// stepped (`Statement.run(rows:arena:)`): each value is copied once into a large block
/// and bound SQLITE_STATIC, instead of SQLite copying it into a malloc of its own
/// (SQLITE_TRANSIENT) or the caller holding a retained String per value. The blocks are
/// kept for the next rows; a value larger than a block gets a block of its own, freed at
/// the next `reset`. Not thread-safe, like the statements it serves.
public final class BindingArena {
    private static let blockSize = 1 << 20
    private var blocks: [UnsafeMutableRawPointer] = []
    /// Blocks of exactly one large value each, freed by `reset`.
    private var large: [UnsafeMutableRawPointer] = []
    /// The block being filled (an index into `blocks`) and the bytes used in it.
    private var current = 0
    private var used = 0

    public init() {}

    deinit {
        blocks.forEach { $0.deallocate() }
        large.forEach { $0.deallocate() }
    }

    /// A copy of `bytes` that stays where it is until `reset`.
    func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        let count = bytes.count
        if count > Self.blockSize / 4 {
            let block = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 8)
            block.copyMemory(from: bytes.baseAddress!, byteCount: count)
            large.append(block)
            return UnsafeRawPointer(block)
        }
        if blocks.isEmpty || used + count > Self.blockSize {
            if !blocks.isEmpty { current += 1 }
            if current == blocks.count { blocks.append(.allocate(byteCount: Self.blockSize, alignment: 8)) }
            used = 0
        }
        let target = blocks[current] + used
        target.copyMemory(from: bytes.baseAddress!, byteCount: count)
        used += count
        return UnsafeRawPointer(target)
    }

    /// Every copy handed out so far may be overwritten: the statement was stepped and reset.
    public func reset() {
        large.forEach { $0.deallocate() }
        large.removeAll(keepingCapacity: true)
        // One block is what a statement of rows normally needs; more were a burst.
        while blocks.count > 1 { blocks.removeLast().deallocate() }
        current = 0
        used = 0
    }
}
