import CLevelDB
import Synchronization

/// An open LevelDB database: the node's indexes live here because LevelDB gives
/// ordered keys, atomic batches and snapshots at thousands of writes per second.
///
/// `@unchecked Sendable`: LevelDB documents its handle as safe for concurrent reads
/// and writes without outside locking. The only state this class adds is the
/// open/closed handle and the registry of live iterators and snapshots; both are
/// guarded by `lock` (calls hold it shared, `close()` holds it exclusive), which is
/// what lets `close()` race with other threads without freeing memory under them.
public final class LevelDB: @unchecked Sendable {
    /// Tuning and safety switches, fixed when the database is opened.
    public struct Options: Sendable, Equatable {
        /// How table blocks are stored on disk.
        public enum Compression: Sendable, Equatable {
            /// Cheap to compute and usually pays for itself in fewer bytes read.
            case snappy
            /// For values that are already compressed or encrypted.
            case none
        }

        /// A fresh node starts with no index directory, so opening creates one by default.
        public var createIfMissing: Bool
        /// Guards tools that must start from an empty database from reusing an old one.
        public var errorIfExists: Bool
        /// Stops at the first sign of corruption (at open and in compactions) instead
        /// of skipping damaged data. Worth it for a ledger.
        public var paranoidChecks: Bool
        /// Verifies the checksum of every table block a read or scan touches, so a
        /// damaged file is reported instead of decoded into wrong or missing entries.
        /// Costs a CRC per block read from disk (not per cached block).
        public var verifyChecksums: Bool
        /// Size of the LRU cache of uncompressed blocks; 0 leaves only LevelDB's
        /// small built-in cache, for tools that read each block once.
        public var blockCacheBytes: Int
        /// Bloom filter size per key; saves a disk read for most lookups of absent
        /// keys (10 bits is about 1% false positives). 0 disables filters.
        public var bloomFilterBitsPerKey: Int
        /// Table block compression.
        public var compression: Compression
        /// Memtable size: larger absorbs write bursts but lengthens recovery replay.
        public var writeBufferBytes: Int
        /// File handles LevelDB may keep open for tables; raise it for large databases.
        public var maxOpenFiles: Int
        /// What error messages call this database ("ledger index"), so users read
        /// the tool's vocabulary rather than LevelDB's.
        public var label: String

        public init(
            createIfMissing: Bool = true,
            errorIfExists: Bool = false,
            paranoidChecks: Bool = false,
            verifyChecksums: Bool = false,
            blockCacheBytes: Int = 8 << 20,
            bloomFilterBitsPerKey: Int = 10,
            compression: Compression = .snappy,
            writeBufferBytes: Int = 4 << 20,
            maxOpenFiles: Int = 1000,
            label: String = "database"
        ) {
            self.createIfMissing = createIfMissing
            self.errorIfExists = errorIfExists
            self.paranoidChecks = paranoidChecks
            self.verifyChecksums = verifyChecksums
            self.blockCacheBytes = blockCacheBytes
            self.bloomFilterBitsPerKey = bloomFilterBitsPerKey
            self.compression = compression
            self.writeBufferBytes = writeBufferBytes
            self.maxOpenFiles = maxOpenFiles
            self.label = label
        }

        /// Rejects values that would trap when converted for C or make no sense,
        /// so a bad configuration file yields an error instead of a crash.
        func validate() throws {
            func reject(_ name: String, _ value: Int, _ reason: String) -> LevelDBError {
                .invalidOption(name: name, value: String(value), reason: reason)
            }
            if blockCacheBytes < 0 { throw reject("blockCacheBytes", blockCacheBytes, "must not be negative") }
            if bloomFilterBitsPerKey < 0 || bloomFilterBitsPerKey > 1000 {
                throw reject("bloomFilterBitsPerKey", bloomFilterBitsPerKey, "must be between 0 and 1000")
            }
            if writeBufferBytes <= 0 { throw reject("writeBufferBytes", writeBufferBytes, "must be positive") }
            if maxOpenFiles <= 0 || maxOpenFiles > Int(Int32.max) {
                throw reject("maxOpenFiles", maxOpenFiles, "must be a positive 32-bit number")
            }
        }
    }

    /// One key and its value as read from the database.
    public typealias Entry = (key: [UInt8], value: [UInt8])

    /// Where the database lives, for messages and for reopening.
    public let path: String
    /// The options it was opened with.
    public let options: Options

    let lock = ReadWriteLock()
    /// nil once closed. Written only under the exclusive lock.
    private var handle: OpaquePointer?
    private let native: NativeOptions
    private let readOptions: OpaquePointer
    private let writeOptions: OpaquePointer
    private let syncWriteOptions: OpaquePointer
    /// Guards `dependents`, which reader threads update concurrently. (The dependents are
    /// deliberately not Sendable, so they cannot live inside the Mutex itself.)
    private let registryLock = Mutex<Void>(())
    /// Iterators and snapshots still alive, so close() can free them before the handle.
    private var dependents: [ObjectIdentifier: any Dependent] = [:]

    /// Opens (and by default creates) the database at `path`.
    public init(path: String, options: Options = Options()) throws {
        guard !path.isEmpty else {
            // LevelDB would take "" as a prefix and create LOCK in the root directory.
            throw LevelDBError.invalidArgument("cannot open \(options.label): path is empty")
        }
        try options.validate()
        let native = NativeOptions(options)
        var errptr: UnsafeMutablePointer<CChar>?
        let opened = path.withCString { leveldb_open(native.options, $0, &errptr) }
        if let errptr {
            if let opened { leveldb_close(opened) }
            native.destroy()
            throw LevelDBError.cannotOpen(label: options.label, path: path, status: takeStatus(errptr))
        }
        guard let opened else {
            native.destroy()
            throw LevelDBError.cannotOpen(label: options.label, path: path, status: "unknown error")
        }

        let readOptions = leveldb_readoptions_create()!
        leveldb_readoptions_set_verify_checksums(readOptions, options.verifyChecksums ? 1 : 0)
        let writeOptions = leveldb_writeoptions_create()!
        let syncWriteOptions = leveldb_writeoptions_create()!
        leveldb_writeoptions_set_sync(syncWriteOptions, 1)

        self.path = path
        self.options = options
        self.native = native
        self.handle = opened
        self.readOptions = readOptions
        self.writeOptions = writeOptions
        self.syncWriteOptions = syncWriteOptions
    }

    deinit {
        // Iterators and snapshots keep `self` alive, so none can be outstanding here.
        if let handle { leveldb_close(handle) }
        leveldb_readoptions_destroy(readOptions)
        leveldb_writeoptions_destroy(writeOptions)
        leveldb_writeoptions_destroy(syncWriteOptions)
        native.destroy()
    }

    /// Releases the directory lock and flushes nothing further; later calls throw
    /// `.closed` instead of crashing. Live iterators and snapshots are invalidated.
    /// Safe to call more than once and from any thread.
    public func close() {
        lock.withWriteLock {
            guard let handle else { return }
            registryLock.withLock { _ in
                for dependent in dependents.values { dependent.release(from: handle) }
                dependents.removeAll()
            }
            leveldb_close(handle)
            self.handle = nil
        }
    }

    /// Whether `close()` has been called.
    public var isClosed: Bool {
        lock.withReadLock { handle == nil }
    }

    // MARK: Point reads and writes

    /// The value stored under `key`, or nil when there is none. With a snapshot,
    /// the value as it was when the snapshot was taken.
    public func get(_ key: [UInt8], snapshot: Snapshot? = nil) throws -> [UInt8]? {
        try read(key, snapshot: snapshot)
    }

    /// `get` for text keys, read from the string's UTF-8 storage without copying.
    public func get(_ key: String, snapshot: Snapshot? = nil) throws -> [UInt8]? {
        try read(key, snapshot: snapshot)
    }

    /// Stores `value` under `key`. `sync: true` returns only after fsync, for
    /// writes that must survive a machine crash rather than just a process crash.
    public func put(_ key: [UInt8], _ value: [UInt8], sync: Bool = false) throws {
        try store(key, value, sync: sync)
    }

    /// `put` for text keys.
    public func put(_ key: String, _ value: [UInt8], sync: Bool = false) throws {
        try store(key, value, sync: sync)
    }

    /// Removes `key`; removing an absent key is not an error, as in LevelDB.
    public func delete(_ key: [UInt8], sync: Bool = false) throws {
        try remove(key, sync: sync)
    }

    /// `delete` for text keys.
    public func delete(_ key: String, sync: Bool = false) throws {
        try remove(key, sync: sync)
    }

    /// Applies every operation in `batch` or none of them, which is how a block's
    /// index entries are committed together. `sync: true` fsyncs before returning.
    public func write(_ batch: WriteBatch, sync: Bool = false) throws {
        try withOpenHandle { db in
            var errptr: UnsafeMutablePointer<CChar>?
            leveldb_write(db, sync ? syncWriteOptions : writeOptions, batch.raw, &errptr)
            if let errptr { throw failure(LevelDBError.cannotWrite, errptr) }
        }
    }

    // MARK: Snapshots, iterators and scans

    /// A consistent view that later writes do not change; pass it to reads and scans.
    public func snapshot() throws -> Snapshot {
        let handle = try withOpenHandle { db -> SnapshotHandle in
            let snapshot = leveldb_create_snapshot(db)!
            let readOptions = leveldb_readoptions_create()!
            leveldb_readoptions_set_verify_checksums(readOptions, options.verifyChecksums ? 1 : 0)
            leveldb_readoptions_set_snapshot(readOptions, snapshot)
            let handle = SnapshotHandle(snapshot: snapshot, readOptions: readOptions)
            adopt(handle)
            return handle
        }
        return Snapshot(database: self, handle: handle)
    }

    /// A cursor for hand-written walks; prefer `scan` for plain ranges. The cursor
    /// starts unpositioned: call one of the seek methods first.
    public func iterator(snapshot: Snapshot? = nil) throws -> Iterator {
        let handle = try withOpenHandle { db -> IteratorHandle in
            let readOptions = try readOptions(for: snapshot)
            let handle = IteratorHandle(leveldb_create_iterator(db, readOptions)!)
            adopt(handle)
            return handle
        }
        return Iterator(database: self, handle: handle, snapshot: snapshot)
    }

    /// All entries whose key starts with `prefix`, in key order (or reverse order),
    /// at most `limit` of them. An empty prefix covers the whole database.
    public func scan(prefix: [UInt8], reverse: Bool = false, snapshot: Snapshot? = nil, limit: Int? = nil) throws -> Scan {
        try makeScan(lower: prefix.isEmpty ? nil : prefix, upper: prefixUpperBound(prefix),
                     reverse: reverse, snapshot: snapshot, limit: limit)
    }

    /// `scan(prefix:)` for text prefixes.
    public func scan(prefix: String, reverse: Bool = false, snapshot: Snapshot? = nil, limit: Int? = nil) throws -> Scan {
        try scan(prefix: Array(prefix.utf8), reverse: reverse, snapshot: snapshot, limit: limit)
    }

    /// Entries with `lower <= key < upper`; a nil bound leaves that side open.
    /// Half-open so adjacent ranges tile the keyspace without overlap.
    public func scan(from lower: [UInt8]?, to upper: [UInt8]?, reverse: Bool = false,
                     snapshot: Snapshot? = nil, limit: Int? = nil) throws -> Scan {
        try makeScan(lower: lower, upper: upper, reverse: reverse, snapshot: snapshot, limit: limit)
    }

    // MARK: Maintenance

    /// A LevelDB property such as "leveldb.stats" or "leveldb.num-files-at-level0",
    /// for diagnostics; nil when LevelDB does not know the name.
    public func property(_ name: String) throws -> String? {
        try withOpenHandle { db in
            guard let value = name.withCString({ leveldb_property_value(db, $0) }) else { return nil }
            return takeStatus(value)
        }
    }

    /// Compacts the whole keyspace now instead of in the background, e.g. after a
    /// bulk import or before taking a file-level backup.
    public func compact() throws {
        try withOpenHandle { db in leveldb_compact_range(db, nil, 0, nil, 0) }
    }

    /// Deletes the database's files and, once empty, its directory. Fails while the
    /// database is open anywhere, because LevelDB takes the directory lock first.
    public static func destroy(path: String, options: Options = Options()) throws {
        guard !path.isEmpty else { throw LevelDBError.invalidArgument("cannot destroy \(options.label): path is empty") }
        try options.validate()
        let native = NativeOptions(options)
        defer { native.destroy() }
        var errptr: UnsafeMutablePointer<CChar>?
        path.withCString { leveldb_destroy_db(native.options, $0, &errptr) }
        if let errptr {
            throw LevelDBError.cannotDestroy(label: options.label, path: path, status: takeStatus(errptr))
        }
    }

    /// Rebuilds the manifest from whatever table and log files survive, the last
    /// resort when opening reports corruption. Some data may be lost.
    public static func repair(path: String, options: Options = Options()) throws {
        guard !path.isEmpty else { throw LevelDBError.invalidArgument("cannot repair \(options.label): path is empty") }
        try options.validate()
        // LevelDB would create a missing directory and "repair" it into an empty database,
        // hiding a mistyped path.
        if let problem = directoryProblem(path) {
            throw LevelDBError.cannotRepair(label: options.label, path: path, status: problem)
        }
        let native = NativeOptions(options)
        defer { native.destroy() }
        var errptr: UnsafeMutablePointer<CChar>?
        path.withCString { leveldb_repair_db(native.options, $0, &errptr) }
        if let errptr {
            throw LevelDBError.cannotRepair(label: options.label, path: path, status: takeStatus(errptr))
        }
    }

    // MARK: Internals shared with Iterator, Snapshot and Scan

    /// Runs `body` with the live handle while holding the shared lock, so close()
    /// cannot free it mid-call.
    @inline(__always)
    func withOpenHandle<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try lock.withReadLock {
            guard let handle else { throw closedError }
            return try body(handle)
        }
    }

    var closedError: LevelDBError { .closed(label: options.label, path: path) }

    func failure(
        _ kind: (String, String, String) -> LevelDBError, _ errptr: UnsafeMutablePointer<CChar>
    ) -> LevelDBError {
        kind(options.label, path, takeStatus(errptr))
    }

    /// Read options for `snapshot`; call with the shared lock held.
    func readOptions(for snapshot: Snapshot?) throws -> OpaquePointer {
        guard let snapshot else { return readOptions }
        guard snapshot.database === self else {
            throw LevelDBError.foreignSnapshot(label: options.label, path: path)
        }
        guard let readOptions = snapshot.handle.readOptions else { throw closedError }
        return readOptions
    }

    /// Records a dependent C object; call with the shared lock held.
    func adopt(_ dependent: any Dependent) {
        registryLock.withLock { _ in dependents[ObjectIdentifier(dependent)] = dependent }
    }

    /// Frees a dependent C object unless close() already did.
    func retire(_ dependent: any Dependent) {
        lock.withReadLock {
            registryLock.withLock { _ in _ = dependents.removeValue(forKey: ObjectIdentifier(dependent)) }
            if let handle { dependent.release(from: handle) }
        }
    }

    private func read(_ key: some ByteSource, snapshot: Snapshot?) throws -> [UInt8]? {
        try withOpenHandle { db in
            let readOptions = try readOptions(for: snapshot)
            var length = 0
            var errptr: UnsafeMutablePointer<CChar>?
            let value = key.withCBytes { leveldb_get(db, readOptions, $0, $1, &length, &errptr) }
            if let errptr {
                if let value { leveldb_free(value) }
                throw failure(LevelDBError.cannotRead, errptr)
            }
            guard let value else { return nil }
            defer { leveldb_free(value) }
            return [UInt8](copying: value, count: length)
        }
    }

    private func store(_ key: some ByteSource, _ value: [UInt8], sync: Bool) throws {
        try withOpenHandle { db in
            var errptr: UnsafeMutablePointer<CChar>?
            key.withCBytes { keyPointer, keyLength in
                value.withCBytes { valuePointer, valueLength in
                    leveldb_put(db, sync ? syncWriteOptions : writeOptions,
                                keyPointer, keyLength, valuePointer, valueLength, &errptr)
                }
            }
            if let errptr { throw failure(LevelDBError.cannotWrite, errptr) }
        }
    }

    private func remove(_ key: some ByteSource, sync: Bool) throws {
        try withOpenHandle { db in
            var errptr: UnsafeMutablePointer<CChar>?
            key.withCBytes { leveldb_delete(db, sync ? syncWriteOptions : writeOptions, $0, $1, &errptr) }
            if let errptr { throw failure(LevelDBError.cannotWrite, errptr) }
        }
    }

    private func makeScan(lower: [UInt8]?, upper: [UInt8]?, reverse: Bool,
                          snapshot: Snapshot?, limit: Int?) throws -> Scan {
        if let limit, limit < 0 {
            throw LevelDBError.invalidArgument("scan limit must not be negative, got \(limit)")
        }
        // Fail here, where the caller wrote `try`, rather than silently inside the loop.
        _ = try withOpenHandle { _ in try readOptions(for: snapshot) }
        return Scan(database: self, lower: lower, upper: upper, reverse: reverse, snapshot: snapshot, limit: limit)
    }
}

/// The C option objects one open (or destroy/repair) call needs. A plain struct
/// with an explicit destroy() so their lifetime is visible: the database handle
/// borrows the cache and filter policy until it is closed.
struct NativeOptions {
    let options: OpaquePointer
    let cache: OpaquePointer?
    let filterPolicy: OpaquePointer?

    init(_ settings: LevelDB.Options) {
        options = leveldb_options_create()!
        leveldb_options_set_create_if_missing(options, settings.createIfMissing ? 1 : 0)
        leveldb_options_set_error_if_exists(options, settings.errorIfExists ? 1 : 0)
        leveldb_options_set_paranoid_checks(options, settings.paranoidChecks ? 1 : 0)
        leveldb_options_set_write_buffer_size(options, settings.writeBufferBytes)
        leveldb_options_set_max_open_files(options, Int32(settings.maxOpenFiles))
        leveldb_options_set_compression(
            options, Int32(settings.compression == .snappy ? leveldb_snappy_compression : leveldb_no_compression))
        if settings.blockCacheBytes > 0 {
            cache = leveldb_cache_create_lru(settings.blockCacheBytes)
            leveldb_options_set_cache(options, cache)
        } else {
            cache = nil
        }
        if settings.bloomFilterBitsPerKey > 0 {
            filterPolicy = leveldb_filterpolicy_create_bloom(Int32(settings.bloomFilterBitsPerKey))
            leveldb_options_set_filter_policy(options, filterPolicy)
        } else {
            filterPolicy = nil
        }
    }

    /// Frees each C object once; only after the database using them is closed.
    func destroy() {
        leveldb_options_destroy(options)
        if let cache { leveldb_cache_destroy(cache) }
        if let filterPolicy { leveldb_filterpolicy_destroy(filterPolicy) }
    }
}
