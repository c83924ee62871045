import Foundation

/// Deterministic test inputs: fixed seeds make a failure reproducible.
enum TestData {
    /// Incompressible bytes from xorshift64*, eight at a time (fast even in debug builds).
    static func random(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                var word = (state &* 0x2545_F491_4F6C_DD1D).littleEndian
                let n = min(8, count - offset)
                withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: n) }
                offset += n
            }
        }
        return bytes
    }

    /// Log-like text that deflate shrinks several-fold.
    static func compressible(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 100)
        var line = 0
        while bytes.count < count {
            bytes.append(contentsOf: Array("tx \(line) committed by peer-\(line % 7) in block \(line / 100)\n".utf8))
            line += 1
        }
        return Array(bytes.prefix(count))
    }

    /// Alternating compressible and random stretches, like a real ledger export.
    static func mixed(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var seed: UInt64 = 1
        while bytes.count < count {
            bytes += compressible(count: 300_000)
            bytes += random(count: 100_000, seed: seed)
            seed += 1
        }
        return Array(bytes.prefix(count))
    }
}

/// Runs an external command and returns its standard output, failing on a non-zero exit.
func runCommand(_ path: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    // Read before waiting, so a large output cannot fill the pipe and deadlock.
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "runCommand", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: "\(path) \(arguments) exited with \(process.terminationStatus)"])
    }
    return data
}
