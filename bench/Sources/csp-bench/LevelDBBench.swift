import CSPKeyValue
import Foundation

/// LevelDB writes committed the way the node commits a block: one synced batch. The
/// baseline is the disk's own synced-append rate (write + fdatasync of a plain file in
/// the same folder), so the ratio reads as "writes made durable per fsync".
struct LevelDBBench {
    let seconds: Double
    let scratch: String
    let batchSize = 1000

    func run() throws -> [Row] {
        let path = scratch + "/leveldb"
        try? LevelDB.destroy(path: path)
        let db = try LevelDB(path: path)
        defer { db.close() }
        let value = [UInt8](repeating: 0x5a, count: 200)
        var written = 0
        let start = now()
        while now() - start < seconds {
            let batch = WriteBatch()
            for _ in 0..<batchSize {
                var key = Array("state/".utf8)
                withUnsafeBytes(of: UInt64(written).bigEndian) { key.append(contentsOf: $0) }
                batch.put(key, value)
                written += 1
            }
            try db.write(batch, sync: true)
        }
        let batched = Double(written) / (now() - start)

        var single = 0
        let singleStart = now()
        while now() - singleStart < seconds / 2 {
            try db.put(Array("single/\(single)".utf8), value, sync: true)
            single += 1
        }
        let unbatched = Double(single) / (now() - singleStart)
        let fsyncRate = try syncedAppendRate(path: scratch + "/fsync-baseline")
        return [
            Row(scenario: "LevelDB synced batches of \(batchSize) × 200 B", ours: batched, baselineName: "write+fdatasync of a file", baseline: fsyncRate, unit: "writes/s", target: nil),
            Row(scenario: "LevelDB synced single puts", ours: unbatched, baselineName: "write+fdatasync of a file", baseline: fsyncRate, unit: "writes/s", target: nil),
        ]
    }

    private func syncedAppendRate(path: String) throws -> Double {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd); unlink(path) }
        let record = [UInt8](repeating: 0x5a, count: 200)
        var count = 0
        let start = now()
        while now() - start < seconds / 2 {
            _ = record.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fdatasync(fd)
            count += 1
        }
        return Double(count) / (now() - start)
    }
}
