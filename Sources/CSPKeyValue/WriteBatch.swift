import CLevelDB

/// Puts and deletes collected in memory and applied by `LevelDB.write(_:sync:)`
/// all at once or not at all, e.g. every index entry of one committed block.
/// Operations apply in the order they were added. Reusable after `clear()`.
public final class WriteBatch {
    let raw: OpaquePointer

    /// Number of puts and deletes recorded, for sizing commits and for metrics.
    /// Tracked here because LevelDB's C API does not expose it.
    public private(set) var count = 0

    public init() {
        raw = leveldb_writebatch_create()!
    }

    deinit {
        leveldb_writebatch_destroy(raw)
    }

    /// True when writing the batch would change nothing.
    public var isEmpty: Bool { count == 0 }

    /// Records a put; the bytes are copied into the batch, so the arrays may change afterwards.
    public func put(_ key: [UInt8], _ value: [UInt8]) {
        append(put: key, value)
    }

    /// `put` for text keys.
    public func put(_ key: String, _ value: [UInt8]) {
        append(put: key, value)
    }

    /// Records a delete; deleting an absent key is harmless.
    public func delete(_ key: [UInt8]) {
        append(delete: key)
    }

    /// `delete` for text keys.
    public func delete(_ key: String) {
        append(delete: key)
    }

    /// Empties the batch so its buffer can be reused for the next commit.
    public func clear() {
        leveldb_writebatch_clear(raw)
        count = 0
    }

    /// Adds every operation of `other` after this batch's own, to merge work built separately.
    public func append(_ other: WriteBatch) {
        let added = other.count  // read first: `other` may be this very batch
        leveldb_writebatch_append(raw, other.raw)
        count += added
    }

    private func append(put key: some ByteSource, _ value: [UInt8]) {
        key.withCBytes { keyPointer, keyLength in
            value.withCBytes { valuePointer, valueLength in
                leveldb_writebatch_put(raw, keyPointer, keyLength, valuePointer, valueLength)
            }
        }
        count += 1
    }

    private func append(delete key: some ByteSource) {
        key.withCBytes { leveldb_writebatch_delete(raw, $0, $1) }
        count += 1
    }
}

/// A batch is plain mutable state with no lock; build it on one thread.
@available(*, unavailable)
extension WriteBatch: Sendable {}
