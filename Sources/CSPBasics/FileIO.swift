#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small, errno-precise file helpers. Foundation's file APIs lose the errno that the
/// one-line error messages need, so the few calls the tools make go straight to POSIX.
public enum FileIO {
    /// Reads a whole file; `-` reads standard input.
    public static func read(_ path: String, limit: Int = Int.max) throws -> [UInt8] {
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
            guard fd >= 0 else { throw SystemError("cannot open \(quoted(path))") }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in
                retryingEINTR { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            }
            if n < 0 { throw SystemError("cannot read \(quoted(path == "-" ? "standard input" : path))") }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
            if result.count > limit {
                throw SizeLimitError(subject: path, limit: limit)
            }
        }
        return result
    }

    /// Reads a file as UTF-8 text.
    public static func readText(_ path: String, limit: Int = Int.max) throws -> String {
        let bytes = try read(path, limit: limit)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Calls `body` with successive chunks of the file (or standard input for `-`),
    /// so a gigabyte stream never sits in memory.
    public static func forEachChunk(_ path: String, chunkSize: Int = 1 << 20,
                                    _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
            guard fd >= 0 else { throw SystemError("cannot open \(quoted(path))") }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = retryingEINTR { Glibc.read(fd, buffer.baseAddress, chunkSize) }
            if n < 0 {
                let code = errno
                throw SystemError("cannot read \(quoted(path == "-" ? "standard input" : path))", code: code)
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Writes a file atomically: a temporary file in the same folder with `mode`,
    /// fsynced, then renamed over the target. A crash leaves the old file or the new
    /// one, never half of either. Private keys pass `0o600`.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let temporary = path + ".tmp.\(getpid())"
        let fd = retryingEINTR { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw SystemError("cannot create \(quoted(path))") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        // The umask may have narrowed or widened nothing; make the mode exact.
        guard fchmod(fd, mode) == 0 else {
            let code = errno; close(fd)
            throw SystemError("cannot set permissions of \(quoted(path))", code: code)
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                retryingEINTR { write(fd, raw.baseAddress! + written, raw.count - written) }
            }
            if n < 0 {
                let code = errno; close(fd)
                throw SystemError("cannot write \(quoted(path))", code: code)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let code = errno; close(fd)
            throw SystemError("cannot sync \(quoted(path))", code: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw SystemError("cannot write \(quoted(path))") }
        ok = true
        try syncDirectory(containing: path)
    }

    /// Creates (or replaces) a file without syncing it: for many small files written
    /// together and made durable at once with `syncFileSystem(containing:)`.
    public static func writeUnsynced(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let fd = retryingEINTR { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw SystemError("cannot create \(quoted(path))") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                retryingEINTR { Glibc.write(fd, raw.baseAddress! + written, raw.count - written) }
            }
            if n < 0 { throw SystemError("cannot write \(quoted(path))") }
            written += n
        }
    }

    /// Flushes written files to disk (sync(2); Glibc's module does not export syncfs):
    /// one call after writing many files instead of one fsync each, then the folder.
    public static func syncFiles(in folder: String) throws {
        sync()
        try syncDirectory(containing: folder + "/.")
    }

    /// Writes text atomically.
    public static func writeAtomically(_ path: String, text: String, mode: mode_t = 0o644) throws {
        try writeAtomically(path, Array(text.utf8), mode: mode)
    }

    /// fsyncs the folder holding `path`, so a rename or a new file survives a power cut.
    public static func syncDirectory(containing path: String) throws {
        let folder = parent(of: path)
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("cannot open \(quoted(folder))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemError("cannot sync \(quoted(folder))") }
    }

    /// Creates a folder (and its parents) with `mode`; an existing folder is left as it is.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let above = parent(of: path)
        if above != path && !isDirectory(above) { try makeDirectory(above, mode: 0o755) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw SystemError("cannot create folder \(quoted(path))")
        }
        if chmod(path, mode) != 0 { throw SystemError("cannot set permissions of \(quoted(path))") }
    }

    /// The names in a folder, "." and ".." excluded, unsorted.
    public static func directoryEntries(_ folder: String) throws -> [String] {
        guard let stream = opendir(folder) else { throw SystemError("cannot open \(quoted(folder))") }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Permission bits of a file, or nil when it does not exist.
    public static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}

/// A file or stream larger than the tool accepts.
public struct SizeLimitError: Error, CustomStringConvertible, Sendable {
    public let subject: String
    public let limit: Int
    public var description: String { "\(quoted(subject)) is larger than \(limit) bytes" }
}

/// Repeats a system call interrupted by a signal, as every POSIX caller must.
@inline(__always)
public func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}
