import CLevelDB

extension LevelDB {
    /// A movable cursor over the keys in order, for walks `scan` cannot express
    /// (seeking back and forth, stopping on a condition of the value).
    ///
    /// Moving an unpositioned or exhausted cursor with `next()`/`prev()` does
    /// nothing instead of tripping LevelDB's assertions. A move that met damaged
    /// data throws `.cannotIterate` (LevelDB itself would skip the damage and carry
    /// on). After the database is closed every method throws `.closed` and `isValid`
    /// is false.
    public final class Iterator {
        let database: LevelDB
        let handle: IteratorHandle
        /// Held so the snapshot cannot be released while this cursor reads through it.
        let snapshot: Snapshot?

        init(database: LevelDB, handle: IteratorHandle, snapshot: Snapshot?) {
            self.database = database
            self.handle = handle
            self.snapshot = snapshot
        }

        deinit {
            // A live iterator pins memtables and table files, so free it as soon as possible.
            database.retire(handle)
        }

        /// Whether the cursor is on an entry; false before the first seek, past either end, and after close.
        public var isValid: Bool {
            (try? withCursor { leveldb_iter_valid($0) != 0 }) ?? false
        }

        /// Positions at the first key `>= key`.
        public func seek(to key: [UInt8]) throws {
            try move { cursor in key.withCBytes { leveldb_iter_seek(cursor, $0, $1) } }
        }

        /// `seek(to:)` for text keys.
        public func seek(to key: String) throws {
            try move { cursor in key.withCBytes { leveldb_iter_seek(cursor, $0, $1) } }
        }

        /// Positions at the smallest key.
        public func seekToFirst() throws {
            try move { leveldb_iter_seek_to_first($0) }
        }

        /// Positions at the largest key.
        public func seekToLast() throws {
            try move { leveldb_iter_seek_to_last($0) }
        }

        /// Moves to the next larger key.
        public func next() throws {
            try move { if leveldb_iter_valid($0) != 0 { leveldb_iter_next($0) } }
        }

        /// Moves to the next smaller key.
        public func prev() throws {
            try move { if leveldb_iter_valid($0) != 0 { leveldb_iter_prev($0) } }
        }

        /// A copy of the current key, or nil when the cursor is not on an entry.
        public var key: [UInt8]? {
            try? withCursor { cursor -> [UInt8]? in
                guard leveldb_iter_valid(cursor) != 0 else { return nil }
                var length = 0
                let pointer = leveldb_iter_key(cursor, &length)
                return [UInt8](copying: pointer, count: length)
            }
        }

        /// A copy of the current value, or nil when the cursor is not on an entry.
        public var value: [UInt8]? {
            try? withCursor { cursor -> [UInt8]? in
                guard leveldb_iter_valid(cursor) != 0 else { return nil }
                var length = 0
                let pointer = leveldb_iter_value(cursor, &length)
                return [UInt8](copying: pointer, count: length)
            }
        }

        /// Lends the current key without copying it, for hot loops that only
        /// inspect bytes; nil when not on an entry. The buffer dies with the call.
        /// `body` runs under the database's shared lock: do not close the database from it.
        public func withUnsafeKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
            try withCursor { cursor in
                guard leveldb_iter_valid(cursor) != 0 else { return nil }
                var length = 0
                let pointer = leveldb_iter_key(cursor, &length)
                return try body(UnsafeRawBufferPointer(start: pointer, count: length))
            }
        }

        /// Lends the current value without copying it; same rules as `withUnsafeKey`.
        public func withUnsafeValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
            try withCursor { cursor in
                guard leveldb_iter_valid(cursor) != 0 else { return nil }
                var length = 0
                let pointer = leveldb_iter_value(cursor, &length)
                return try body(UnsafeRawBufferPointer(start: pointer, count: length))
            }
        }

        /// Throws if the walk met a storage error; LevelDB reports such errors only
        /// through this status. Every move already checks it.
        public func checkStatus() throws {
            try withCursor { try check($0) }
        }

        /// Moves the cursor, then surfaces any error the move met: LevelDB steps over
        /// a table block it cannot read, so a valid position can hide missing entries.
        private func move(_ body: (OpaquePointer) -> Void) throws {
            try withCursor { cursor in
                body(cursor)
                try check(cursor)
            }
        }

        private func check(_ cursor: OpaquePointer) throws {
            var errptr: UnsafeMutablePointer<CChar>?
            leveldb_iter_get_error(cursor, &errptr)
            if let errptr { throw database.failure(LevelDBError.cannotIterate, errptr) }
        }

        /// Runs `body` with the C iterator while close() is held off.
        @inline(__always)
        func withCursor<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
            try database.withOpenHandle { _ in
                guard let pointer = handle.pointer else { throw database.closedError }
                return try body(pointer)
            }
        }
    }
}

/// A cursor has a position that moves; share the database, not the cursor.
@available(*, unavailable)
extension LevelDB.Iterator: Sendable {}
