#if canImport(Glibc)
import Glibc
#endif
import CSPBasics
import CSPCrypto
import Dispatch
import Foundation

/// SHA-256 of many files on every core, reported in a stable order: the order of the
/// arguments, a folder replaced by the files beneath it, depth first, names in byte
/// order (so the output is the same on every machine and every run).
public enum FileHashing {
    /// A path to hash, or a folder that could not be listed.
    public enum Item: Sendable {
        case file(String)
        case unlistable(String, any Error)
    }

    /// The files the paths name. In a folder, symbolic links to files are followed;
    /// links to folders, sockets, FIFOs and devices are left out (they would loop or block).
    public static func expand(_ paths: [String]) -> [Item] {
        var items: [Item] = []
        for path in paths {
            if path != "-", FileIO.isDirectory(path) { walk(path, into: &items) } else { items.append(.file(path)) }
        }
        return items
    }

    private static func walk(_ folder: String, into items: inout [Item]) {
        let names: [String]
        do { names = try FileIO.directoryEntries(folder) } catch {
            items.append(.unlistable(folder, error))
            return
        }
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let path = base + name
            var info = stat()
            guard lstat(path, &info) == 0 else { items.append(.file(path)); continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(path, into: &items)
            case S_IFREG: items.append(.file(path))
            case S_IFLNK:
                var target = stat()
                if stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG { items.append(.file(path)) }
            default: break
            }
        }
    }

    /// Hashes `paths` on every core and calls `emit` for each in order, as soon as it
    /// and all before it are done. Files are taken in windows so memory stays bounded.
    public static func hash(_ paths: [String], emit: (Int, Result<SHA256Digest, any Error>) throws -> Void) rethrows {
        let window = max(64, ProcessInfo.processInfo.activeProcessorCount * 32)
        var start = 0
        while start < paths.count {
            let end = min(paths.count, start + window)
            let results = Results(count: end - start)
            let slice = Array(paths[start..<end])
            DispatchQueue.concurrentPerform(iterations: slice.count) { index in
                results.set(index, Result { try SHA256.hash(file: slice[index]) })
            }
            for (offset, result) in results.all.enumerated() { try emit(start + offset, result) }
            start = end
        }
    }

    private final class Results: @unchecked Sendable {
        private let lock = Lock()
        private var values: [Result<SHA256Digest, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<SHA256Digest, any Error>) { lock.withLock { values[index] = value } }
        var all: [Result<SHA256Digest, any Error>] { lock.withLock { values.map { $0! } } }
    }
}
