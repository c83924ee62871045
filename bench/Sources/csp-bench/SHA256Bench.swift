import CSPCrypto
import Foundation

/// SHA-256 of a large file: `csp-audit hash` and the library's streaming hasher
/// against `sha256sum` and `openssl dgst`, on the same page-cached file.
struct SHA256Bench {
    let bin: String
    let bytes: Int
    let scratch: String

    func run() throws -> [Row] {
        let path = scratch + "/sha256-input.bin"
        try writeRandomFile(path)
        _ = try shell("cat", [path])  // warm the page cache so every contender reads from memory
        let mib = Double(bytes) / Double(1 << 20)
        let openssl = mib / (try bestTime("openssl", ["dgst", "-sha256", path]))
        let coreutils = mib / (try bestTime("sha256sum", [path]))
        let tool = mib / (try bestTime(bin + "/csp-audit", ["hash", path]))
        var library = Double.infinity
        for _ in 0..<3 {
            let start = now()
            _ = try SHA256.hash(file: path)
            library = min(library, now() - start)
        }
        let size = bytes >= 1 << 30 ? "\(bytes >> 30) GiB" : "\(bytes >> 20) MiB"
        return [
            Row(scenario: "SHA-256 \(size), csp-audit hash", ours: tool, baselineName: "best of openssl dgst and sha256sum",
                baseline: max(openssl, coreutils), unit: "MiB/s", target: 0.9),
            Row(scenario: "SHA-256 \(size), csp-audit hash", ours: tool, baselineName: "openssl dgst -sha256", baseline: openssl, unit: "MiB/s", target: nil),
            Row(scenario: "SHA-256 \(size), csp-audit hash", ours: tool, baselineName: "sha256sum", baseline: coreutils, unit: "MiB/s", target: nil),
            Row(scenario: "SHA-256 \(size), in-process hasher", ours: mib / library, baselineName: "openssl dgst -sha256", baseline: openssl, unit: "MiB/s", target: 0.9),
        ]
    }

    private func writeRandomFile(_ path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        // 16 MiB of random bytes repeated: incompressible enough, and cheap to make.
        let block = Data(try SecureRandom.bytes(min(bytes, 16 << 20)))
        var written = 0
        while written < bytes {
            let n = min(block.count, bytes - written)
            try handle.write(contentsOf: block.prefix(n))
            written += n
        }
    }
}
