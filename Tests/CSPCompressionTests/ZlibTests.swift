import CSPCompression
import XCTest

final class ZlibTests: XCTestCase {
    func testRandomDataRoundTripsInEveryFormat() throws {
        for format in Zlib.Format.allCases {
            for count in [0, 1, 1000, 300_000] {
                let input = TestData.random(count: count, seed: UInt64(count + 1))
                let compressed = try Zlib.deflate(input, format: format)
                XCTAssertEqual(try Zlib.inflate(compressed, format: format), input, "\(format) \(count)")
            }
        }
    }

    func testCompressibleDataRoundTripsAndShrinks() throws {
        let input = TestData.compressible(count: 1_000_000)
        for format in Zlib.Format.allCases {
            let compressed = try Zlib.deflate(input, format: format)
            XCTAssertLessThan(compressed.count, input.count / 5, "\(format)")
            XCTAssertEqual(try Zlib.inflate(compressed, format: format), input, "\(format)")
        }
    }

    func testFormatsHaveTheirHeaders() throws {
        let input = Array("hello".utf8)
        let zlib = try Zlib.deflate(input, format: .zlib)
        XCTAssertEqual(zlib[0], 0x78, "zlib CMF byte for a 32 KiB window")
        XCTAssertEqual(Array(try Zlib.deflate(input, format: .gzip).prefix(2)), [0x1f, 0x8b], "gzip magic")
        XCTAssertEqual(try Zlib.deflate(input, format: .raw).count, zlib.count - 6, "raw has no 2-byte header nor 4-byte Adler-32")
    }

    func testEveryLevelRoundTripsAndBadLevelsThrow() throws {
        let input = TestData.mixed(count: 200_000)
        var sizes: [Int] = []
        for level in -1...9 {
            let compressed = try Zlib.deflate(input, level: level)
            sizes.append(compressed.count)
            XCTAssertEqual(try Zlib.inflate(compressed), input, "level \(level)")
        }
        XCTAssertGreaterThan(sizes[1], input.count, "level 0 only stores")
        XCTAssertLessThan(sizes[10], sizes[2], "level 9 beats level 1")
        for level in [-2, 10] {
            XCTAssertThrowsError(try Zlib.deflate(input, level: level)) { error in
                XCTAssertEqual("\(error)", "cannot deflate: compression level \(level) is out of range 0...9")
            }
        }
    }

    func testTruncatedInputThrowsInEveryFormat() throws {
        let input = TestData.compressible(count: 100_000)
        for format in Zlib.Format.allCases {
            let compressed = try Zlib.deflate(input, format: format)
            for cut in [1, 4, compressed.count / 2, compressed.count - 1] {
                XCTAssertThrowsError(try Zlib.inflate(Array(compressed.prefix(cut)), format: format)) { error in
                    XCTAssertEqual((error as? ZlibError)?.kind, .truncated, "\(format) cut at \(cut): \(error)")
                    XCTAssertTrue("\(error)".hasPrefix("cannot inflate: truncated input"), "\(error)")
                }
            }
            XCTAssertThrowsError(try Zlib.inflate([], format: format)) { error in
                XCTAssertEqual((error as? ZlibError)?.kind, .truncated)
            }
        }
    }

    func testCorruptedInputThrows() throws {
        let input = TestData.compressible(count: 100_000)
        let zlib = try Zlib.deflate(input, format: .zlib)

        var badHeader = zlib
        badHeader[0] ^= 0xff
        XCTAssertThrowsError(try Zlib.inflate(badHeader)) { error in
            XCTAssertEqual("\(error)", "cannot inflate: incorrect header check")
        }

        var badChecksum = zlib
        badChecksum[badChecksum.count - 1] ^= 0x01
        XCTAssertThrowsError(try Zlib.inflate(badChecksum)) { error in
            XCTAssertEqual("\(error)", "cannot inflate: incorrect data check")
        }

        let gzip = try Zlib.deflate(input, format: .gzip)
        var badCRC = gzip
        badCRC[badCRC.count - 8] ^= 0x01
        XCTAssertThrowsError(try Zlib.inflate(badCRC, format: .gzip)) { error in
            XCTAssertEqual((error as? ZlibError)?.code, -3, "Z_DATA_ERROR")
            XCTAssertEqual("\(error)", "cannot inflate: incorrect data check")
        }

        var scrambled = zlib
        for index in stride(from: 10, to: scrambled.count - 10, by: 97) {
            scrambled[index] ^= 0x5a
        }
        XCTAssertThrowsError(try Zlib.inflate(scrambled)) { error in
            XCTAssertTrue(error is ZlibError, "\(error)")
        }

        // A stored block whose length and one's-complement check disagree.
        let badStored: [UInt8] = [0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5]
        XCTAssertThrowsError(try Zlib.inflate(badStored, format: .raw)) { error in
            XCTAssertEqual("\(error)", "cannot inflate: invalid stored block lengths")
        }
    }

    func testWrongFormatThrows() throws {
        let zlib = try Zlib.deflate(Array("data".utf8), format: .zlib)
        XCTAssertThrowsError(try Zlib.inflate(zlib, format: .gzip)) { error in
            XCTAssertEqual("\(error)", "cannot inflate: incorrect header check")
        }
    }

    func testTrailingDataAfterAZlibStreamThrows() throws {
        let zlib = try Zlib.deflate(Array("data".utf8), format: .zlib)
        XCTAssertThrowsError(try Zlib.inflate(zlib + [0x00], format: .zlib)) { error in
            XCTAssertEqual((error as? ZlibError)?.kind, .trailingData)
            XCTAssertEqual("\(error)", "cannot inflate: unexpected data after the end of the stream")
        }
    }

    func testConcatenatedGzipMembersReadAsOneStream() throws {
        let first = Array("first member\n".utf8)
        let second = Array("second member\n".utf8)
        let joined = try Zlib.deflate(first, format: .gzip) + Zlib.deflate(second, format: .gzip)
        XCTAssertEqual(try Zlib.inflate(joined, format: .gzip), first + second)
    }

    func testOutputLimitStopsDecompressionBombs() throws {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let bomb = try Zlib.deflate(zeros, level: 9)
        XCTAssertLessThan(bomb.count, 16 << 10, "8 MiB of zeros shrinks to a few KiB")
        XCTAssertThrowsError(try Zlib.inflate(bomb, maxOutputBytes: 1 << 20)) { error in
            XCTAssertEqual((error as? ZlibError)?.kind, .outputLimitExceeded)
            XCTAssertEqual("\(error)", "cannot inflate: output exceeds the limit of 1048576 bytes")
        }
        XCTAssertEqual(try Zlib.inflate(bomb, maxOutputBytes: zeros.count).count, zeros.count, "exactly at the limit is fine")
        XCTAssertThrowsError(try Zlib.inflate(bomb, maxOutputBytes: zeros.count - 1))
    }
}

final class CRC32Tests: XCTestCase {
    /// The check value of CRC-32 (ISO-HDLC): "123456789" gives cbf43926.
    func testCheckValue() {
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { Zlib.crc32($0) }, 0xcbf43926)
        XCTAssertEqual([UInt8]().withUnsafeBytes { Zlib.crc32($0) }, 0)
    }
}
