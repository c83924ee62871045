#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CLevelDB

/// Lets close() wait for in-flight calls while ordinary calls run side by side.
/// Noncopyable because a pthread lock must never move once initialised.
struct ReadWriteLock: ~Copyable {
    private let raw: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(raw, nil)
    }

    deinit {
        pthread_rwlock_destroy(raw)
        raw.deinitialize(count: 1)
        raw.deallocate()
    }

    @inline(__always)
    func withReadLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(raw)
        defer { pthread_rwlock_unlock(raw) }
        return try body()
    }

    @inline(__always)
    func withWriteLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(raw)
        defer { pthread_rwlock_unlock(raw) }
        return try body()
    }
}

/// Byte containers that can lend LevelDB a pointer without copying.
protocol ByteSource {
    func withCBytes<R>(_ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R
}

extension Array: ByteSource where Element == UInt8 {
    @inline(__always)
    func withCBytes<R>(_ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { buffer in
            // An empty array may have no storage; LevelDB still wants a real pointer.
            guard let base = buffer.baseAddress else {
                return try withUnsafePointer(to: CChar(0)) { try body($0, 0) }
            }
            return try base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                try body($0, buffer.count)
            }
        }
    }
}

extension String: ByteSource {
    @inline(__always)
    func withCBytes<R>(_ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R {
        // withUTF8 lends native storage directly; only bridged strings get copied.
        var string = self
        return try string.withUTF8 { buffer in
            guard let base = buffer.baseAddress else {
                return try withUnsafePointer(to: CChar(0)) { try body($0, 0) }
            }
            return try base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                try body($0, buffer.count)
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// The single copy a read makes out of memory LevelDB owns.
    @inline(__always)
    init(copying pointer: UnsafePointer<CChar>?, count: Int) {
        guard let pointer, count > 0 else {
            self = []
            return
        }
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            memcpy(buffer.baseAddress!, pointer, count)
            initialized = count
        }
    }
}

/// LevelDB's byte order: memcmp, then the shorter key first.
@inline(__always)
func compareBytes(_ pointer: UnsafePointer<CChar>, _ count: Int, _ other: [UInt8]) -> Int {
    other.withUnsafeBufferPointer { buffer in
        let common = Swift.min(count, buffer.count)
        if common > 0, let base = buffer.baseAddress {
            let order = memcmp(pointer, base, common)
            if order != 0 { return Int(order) }
        }
        return count == buffer.count ? 0 : (count < buffer.count ? -1 : 1)
    }
}

/// Turns LevelDB's malloc'd status text into a String and frees it, so no caller can leak it.
func takeStatus(_ errptr: UnsafeMutablePointer<CChar>) -> String {
    defer { leveldb_free(errptr) }
    return String(cString: errptr)
}

/// The smallest key greater than every key that starts with `prefix`, or nil when
/// no such key exists (empty or all-0xFF prefixes run to the end of the keyspace).
func prefixUpperBound(_ prefix: [UInt8]) -> [UInt8]? {
    var bound = prefix
    while let last = bound.last {
        if last != 0xFF {
            bound[bound.count - 1] = last + 1
            return bound
        }
        bound.removeLast()
    }
    return nil
}

/// Why `path` is not an existing directory, worded like LevelDB's IO errors, or nil.
func directoryProblem(_ path: String) -> String? {
    var info = stat()
    if stat(path, &info) != 0 {
        return "IO error: \(path): \(String(cString: strerror(errno)))"
    }
    if (info.st_mode & S_IFMT) != S_IFDIR {
        return "IO error: \(path): \(String(cString: strerror(ENOTDIR)))"
    }
    return nil
}

/// A C object that borrows the database handle and therefore must go before it.
protocol Dependent: AnyObject {
    /// Frees the C object; must tolerate being called when already released.
    func release(from db: OpaquePointer)
}

/// A leveldb_iterator_t that close() can destroy out from under its Swift owner.
final class IteratorHandle: Dependent {
    var pointer: OpaquePointer?

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    func release(from db: OpaquePointer) {
        if let pointer { leveldb_iter_destroy(pointer) }
        pointer = nil
    }
}

/// A leveldb_snapshot_t plus the read options that point at it.
final class SnapshotHandle: Dependent {
    var snapshot: OpaquePointer?
    var readOptions: OpaquePointer?

    init(snapshot: OpaquePointer, readOptions: OpaquePointer) {
        self.snapshot = snapshot
        self.readOptions = readOptions
    }

    func release(from db: OpaquePointer) {
        if let readOptions { leveldb_readoptions_destroy(readOptions) }
        if let snapshot { leveldb_release_snapshot(db, snapshot) }
        readOptions = nil
        snapshot = nil
    }
}
