import CLevelDB

extension LevelDB {
    /// A key range read lazily in key order (or reverse), one entry per step, so
    /// a scan over a large index never holds more than one entry in memory.
    ///
    /// Each `for` loop opens its own LevelDB iterator. A loop cannot throw, so a
    /// storage error (damage LevelDB skipped over included) or a concurrent close
    /// ends it and is kept in the iterator's `error`; use `collect()` when such an
    /// ending must not go unnoticed.
    public struct Scan: Sequence, Sendable {
        let database: LevelDB
        /// Inclusive; nil means from the first key.
        let lower: [UInt8]?
        /// Exclusive; nil means through the last key.
        let upper: [UInt8]?
        let reverse: Bool
        let snapshot: Snapshot?
        let limit: Int?

        public func makeIterator() -> ScanIterator {
            ScanIterator(scan: self)
        }

        /// All entries of the range, throwing if storage failed part way through.
        public func collect() throws -> [Entry] {
            var entries: [Entry] = []
            if let limit { entries.reserveCapacity(Swift.min(limit, 1024)) }
            let iterator = makeIterator()
            while let entry = iterator.next() { entries.append(entry) }
            if let error = iterator.error { throw error }
            return entries
        }
    }

    /// Steps through a `Scan`. Ends at the range bound, the limit, a storage
    /// error or a close; `error` tells the last two apart from a normal end.
    public final class ScanIterator: IteratorProtocol {
        /// Why iteration stopped early, or nil when it reached the end of its range.
        public private(set) var error: LevelDBError?

        private let scan: Scan
        private var cursor: Iterator?
        private var remaining: Int
        private var finished = false

        init(scan: Scan) {
            self.scan = scan
            self.remaining = scan.limit ?? .max
        }

        public func next() -> Entry? {
            guard !finished else { return nil }
            do {
                if let entry = try step() {
                    remaining -= 1
                    return entry
                }
            } catch {
                self.error = error as? LevelDBError ?? .invalidArgument(String(describing: error))
            }
            finished = true
            // Release the C iterator now (outside the lock) rather than when the loop's iterator dies.
            cursor = nil
            return nil
        }

        /// One move and one copy of key and value, under a single lock acquisition.
        private func step() throws -> Entry? {
            guard remaining > 0 else { return nil }
            let started = cursor != nil
            let cursor = try self.cursor ?? scan.database.iterator(snapshot: scan.snapshot)
            self.cursor = cursor
            let scan = self.scan
            return try cursor.withCursor { it -> Entry? in
                if started {
                    // The previous step returned an entry, so the cursor is valid here.
                    if scan.reverse { leveldb_iter_prev(it) } else { leveldb_iter_next(it) }
                } else {
                    Self.position(it, scan)
                }
                // Checked after every move, not only at the end: LevelDB skips a table block
                // it cannot read and carries on with the next one, so a scan that stops at its
                // bound or limit would otherwise return a range with entries silently missing.
                var errptr: UnsafeMutablePointer<CChar>?
                leveldb_iter_get_error(it, &errptr)
                if let errptr { throw scan.database.failure(LevelDBError.cannotIterate, errptr) }
                guard leveldb_iter_valid(it) != 0 else { return nil }
                var keyLength = 0
                let keyPointer = leveldb_iter_key(it, &keyLength)!
                if scan.reverse {
                    if let lower = scan.lower, compareBytes(keyPointer, keyLength, lower) < 0 { return nil }
                } else {
                    if let upper = scan.upper, compareBytes(keyPointer, keyLength, upper) >= 0 { return nil }
                }
                var valueLength = 0
                let valuePointer = leveldb_iter_value(it, &valueLength)
                return ([UInt8](copying: keyPointer, count: keyLength),
                        [UInt8](copying: valuePointer, count: valueLength))
            }
        }

        /// Places a fresh cursor on the first entry of the range in scan direction.
        private static func position(_ it: OpaquePointer, _ scan: Scan) {
            if !scan.reverse {
                if let lower = scan.lower {
                    lower.withCBytes { leveldb_iter_seek(it, $0, $1) }
                } else {
                    leveldb_iter_seek_to_first(it)
                }
            } else if let upper = scan.upper {
                // The last key below `upper`: seek lands on the first key >= upper,
                // one step back is the answer; no such key means everything is below.
                upper.withCBytes { leveldb_iter_seek(it, $0, $1) }
                if leveldb_iter_valid(it) != 0 { leveldb_iter_prev(it) } else { leveldb_iter_seek_to_last(it) }
            } else {
                leveldb_iter_seek_to_last(it)
            }
        }
    }
}

/// Holds a cursor that moves; each thread should run its own scan.
@available(*, unavailable)
extension LevelDB.ScanIterator: Sendable {}
