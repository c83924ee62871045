import CSPCompression
import Foundation
import XCTest

/// The gzip format must interoperate with the system `gzip` command in both directions.
final class GzipInteropTests: XCTestCase {
    private let gzip = "/bin/gzip"
    private var directory: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: gzip), "\(gzip) is not installed")
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("csp-gzip-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory {
            try FileManager.default.removeItem(at: directory)
        }
    }

    func testGzipCommandReadsOurStreamedOutput() throws {
        let input = TestData.mixed(count: 3 << 20)
        let file = directory.appendingPathComponent("ours.gz")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        let deflater = try Deflater(level: 6, format: .gzip)
        for start in stride(from: 0, to: input.count, by: 64 * 1024) {
            try deflater.update(input[start..<min(start + 64 * 1024, input.count)]) { handle.write(Data($0)) }
        }
        try deflater.finish { handle.write(Data($0)) }
        try handle.close()

        _ = try runCommand(gzip, ["-t", file.path])
        XCTAssertEqual([UInt8](try runCommand(gzip, ["-dc", file.path])), input)
    }

    func testGzipCommandReadsOurBufferOutputAtEveryLevel() throws {
        let input = TestData.compressible(count: 200_000)
        for level in [0, 1, 9] {
            let file = directory.appendingPathComponent("level\(level).gz")
            try Data(try Zlib.deflate(input, level: level, format: .gzip)).write(to: file)
            XCTAssertEqual([UInt8](try runCommand(gzip, ["-dc", file.path])), input, "level \(level)")
        }
    }

    func testWeReadWhatGzipWrites() throws {
        let input = TestData.mixed(count: 2 << 20)
        let file = directory.appendingPathComponent("plain.bin")
        try Data(input).write(to: file)
        for flags in [["-c"], ["-c", "-1"], ["-c", "-9", "-n"]] {
            let compressed = [UInt8](try runCommand(gzip, flags + [file.path]))
            XCTAssertEqual(Array(compressed.prefix(2)), [0x1f, 0x8b])
            XCTAssertEqual(try Zlib.inflate(compressed, format: .gzip), input, "gzip \(flags)")

            let inflater = try Inflater(format: .gzip)
            var restored: [UInt8] = []
            for start in stride(from: 0, to: compressed.count, by: 4096) {
                restored += try inflater.update(compressed[start..<min(start + 4096, compressed.count)])
            }
            try inflater.finish()
            XCTAssertEqual(restored, input, "streamed gzip \(flags)")
        }
    }

    func testWeReadConcatenatedGzipFiles() throws {
        let a = Array("alpha\n".utf8), b = Array("beta\n".utf8)
        let fileA = directory.appendingPathComponent("a"), fileB = directory.appendingPathComponent("b")
        try Data(a).write(to: fileA)
        try Data(b).write(to: fileB)
        let joined = [UInt8](try runCommand(gzip, ["-c", fileA.path])) + [UInt8](try runCommand(gzip, ["-c", fileB.path]))
        XCTAssertEqual(try Zlib.inflate(joined, format: .gzip), a + b)
    }
}
