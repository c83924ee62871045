#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSPBasics

/// One open block file. A reference type whose deinit closes the descriptor, so a
/// reader thread that took a reference keeps the descriptor valid even when the store
/// evicts it from its cache or closes meanwhile (no closed-and-reused fd is ever read).
final class BlockFile: @unchecked Sendable {
    // @unchecked: `fd` and `path` never change; pread/pwrite on one fd are thread-safe.
    let path: String
    let number: UInt32
    let fd: Int32

    enum Mode { case read, write, create }

    /// Opens `path`; `.create` makes a new file and fails if one exists, so two writers
    /// can never both believe they started the same file.
    init(path: String, number: UInt32, mode: Mode) throws {
        let flags: Int32
        switch mode {
        case .read: flags = O_RDONLY
        case .write: flags = O_RDWR
        case .create: flags = O_RDWR | O_CREAT | O_EXCL
        }
        let fd = retryingEINTR { open(path, flags | O_CLOEXEC, 0o644) }
        guard fd >= 0 else {
            throw LedgerError.system(SystemError(mode == .create ? "cannot create \(quoted(path))" : "cannot open \(quoted(path))"))
        }
        self.path = path
        self.number = number
        self.fd = fd
    }

    deinit { close(fd) }

    /// The current size; asked again whenever a reader reaches what it thought was the end,
    /// because another process may be appending.
    func size() throws -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LedgerError.system(SystemError("cannot stat \(quoted(path))")) }
        return UInt64(info.st_size)
    }

    /// Reads up to `count` bytes at `offset` into `buffer` (which it replaces); fewer only at the end of the file.
    func read(at offset: UInt64, count: Int, into buffer: inout [UInt8]) throws {
        var failure: Int32 = 0
        buffer = [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
            initialized = 0
            while initialized < count {
                let n = retryingEINTR {
                    pread(fd, raw.baseAddress! + initialized, count - initialized, off_t(offset) + off_t(initialized))
                }
                if n < 0 { failure = errno; break }
                if n == 0 { break }
                initialized += n
            }
        }
        if failure != 0 { throw LedgerError.system(SystemError("cannot read \(quoted(path))", code: failure)) }
    }

    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        var buffer: [UInt8] = []
        try read(at: offset, count: count, into: &buffer)
        return buffer
    }

    /// Writes all of `bytes` at `offset` (partial writes are continued).
    func write(_ bytes: [UInt8], at offset: UInt64) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                retryingEINTR { pwrite(fd, raw.baseAddress! + written, raw.count - written, off_t(offset) + off_t(written)) }
            }
            guard n > 0 else { throw LedgerError.system(SystemError("cannot write \(quoted(path))")) }
            written += n
        }
    }

    /// Flushes data and the size to disk; a commit is acknowledged only after this.
    func sync() throws {
        #if canImport(Darwin)
        let result = fcntl(fd, F_FULLFSYNC)
        #else
        let result = fdatasync(fd)
        #endif
        guard result == 0 else { throw LedgerError.system(SystemError("cannot sync \(quoted(path))")) }
    }

    func truncate(to length: UInt64) throws {
        guard retryingEINTR({ ftruncate(fd, off_t(length)) }) == 0 else {
            throw LedgerError.system(SystemError("cannot truncate \(quoted(path))"))
        }
    }
}
