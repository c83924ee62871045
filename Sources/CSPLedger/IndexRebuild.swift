#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSPBasics
import CSPKeyValue

/// What `LedgerStore.rebuildIndex` did.
public struct IndexRebuild: Sendable, Equatable {
    /// Blocks applied to the new index: all the block files hold.
    public var blocks: UInt64
    /// Where the old index was moved, kept for inspection; nil when there was none.
    public var oldIndex: String?
}

extension LedgerStore {
    /// Rebuilds the index of the ledger in `directory` from its block files, the truth
    /// (docs/STORAGE.md, "Damage to the index and rebuilding it"). The old index is moved aside to
    /// `index.broken-<UTC time>` first and kept, so nothing is lost if the rebuild fails:
    /// then the new index is removed and the old one put back. Refused while another
    /// process has the ledger open. Removes nothing from the block files: without the
    /// old savepoint a damaged last record may be a committed block, so it is refused.
    ///
    /// `open` opens the ledger with the options given (a node passes its own, which
    /// verifies every block in full before it is applied); by default a plain open.
    public static func rebuildIndex(directory: String, channel: String, now: time_t = time(nil),
                                    open: ((Options) throws -> LedgerStore)? = nil) throws -> IndexRebuild {
        let index = directory + "/index"
        let folder = directory + "/" + BlockRecord.folderName
        guard FileIO.isDirectory(folder), !(try blockFileNumbers(in: folder)).isEmpty else {
            throw LedgerError(.unavailable, "no block files in \(quoted(folder)): nothing to rebuild the ledger index from")
        }
        if try isLockedByAnotherProcess(index + "/LOCK") {
            throw LedgerError(.unavailable, "ledger index \(quoted(index)) is in use by another process: stop the node first")
        }
        // The block files' lock, held across the move, keeps a node from opening the
        // ledger between the check above and the move.
        let blocksLock = try BlockStore.lockFolder(folder)
        var aside: String?
        do {
            if FileIO.exists(index) {
                let moved = try freeName(directory + "/index.broken-" + timestamp(now))
                guard rename(index, moved) == 0 else { throw LedgerError.system(SystemError("cannot move \(quoted(index)) to \(quoted(moved))")) }
                try? FileIO.syncDirectory(containing: index)
                aside = moved
            }
        } catch {
            closeDescriptor(blocksLock)
            throw error
        }
        closeDescriptor(blocksLock)
        do {
            var options = Options(create: false)
            options.truncatesTornTail = false
            let store = try open?(options) ?? LedgerStore(directory: directory, channel: channel, options: options)
            defer { store.close() }
            return IndexRebuild(blocks: store.height, oldIndex: aside)
        } catch {
            // Only a new, partial index can be here: LevelDB's own files, which destroy removes.
            try? LevelDB.destroy(path: index)
            if let aside { _ = rename(aside, index) }
            throw error
        }
    }

    /// Whether another process holds the POSIX record lock LevelDB takes on `index/LOCK`.
    /// Asked with F_GETLK, which neither takes the lock nor touches the index.
    private static func isLockedByAnotherProcess(_ path: String) throws -> Bool {
        let fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 {
            if errno == ENOENT { return false }
            throw LedgerError.system(SystemError("cannot open \(quoted(path))"))
        }
        defer { closeDescriptor(fd) }
        var query = flock()
        query.l_type = Int16(F_WRLCK)
        query.l_whence = Int16(SEEK_SET)
        query.l_start = 0
        query.l_len = 0
        guard fcntl(fd, F_GETLK, &query) == 0 else { throw LedgerError.system(SystemError("cannot query the lock on \(quoted(path))")) }
        return query.l_type != Int16(F_UNLCK)
    }

    /// `path`, or `path-2`, `path-3`, … when it is taken (two rebuilds in one second).
    private static func freeName(_ path: String) throws -> String {
        var candidate = path
        var suffix = 2
        while FileIO.exists(candidate) {
            candidate = path + "-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    /// 20261130T031500Z: sorts by time and needs no quoting in a shell.
    private static func timestamp(_ time: time_t) -> String {
        var seconds = time
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2) + "T"
            + digits(parts.tm_hour, 2) + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2) + "Z"
    }
}
