import CSPCompression
import XCTest

final class StreamingTests: XCTestCase {
    private static let chunkSize = 64 * 1024

    private func chunks(_ bytes: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }

    func testStreamingTwentyMiBMatchesTheBufferAPI() throws {
        let input = TestData.mixed(count: 20 << 20)
        for format in Zlib.Format.allCases {
            let deflater = try Deflater(level: 6, format: format)
            var streamed: [UInt8] = []
            var largestPiece = 0
            for chunk in chunks(input, size: Self.chunkSize) {
                try deflater.update(chunk) { piece in
                    largestPiece = max(largestPiece, piece.count)
                    streamed.append(contentsOf: piece)
                }
            }
            streamed += try deflater.finish()
            XCTAssertLessThanOrEqual(largestPiece, 64 * 1024, "output arrives in bounded pieces")
            XCTAssertEqual(deflater.totalIn, input.count)
            XCTAssertEqual(deflater.totalOut, streamed.count)
            XCTAssertEqual(streamed, try Zlib.deflate(input, format: format), "\(format): chunking does not change the output")

            let inflater = try Inflater(format: format)
            var restored: [UInt8] = []
            restored.reserveCapacity(input.count)
            for chunk in chunks(streamed, size: Self.chunkSize) {
                restored += try inflater.update(chunk)
            }
            try inflater.finish()
            XCTAssertTrue(inflater.reachedEnd)
            XCTAssertEqual(inflater.totalOut, input.count)
            XCTAssertEqual(restored, input, "\(format)")
        }
    }

    func testInflatingOneByteAtATime() throws {
        let input = TestData.compressible(count: 20_000)
        let compressed = try Zlib.deflate(input, format: .gzip)
        let inflater = try Inflater(format: .gzip)
        var restored: [UInt8] = []
        for byte in compressed {
            restored += try inflater.update(CollectionOfOne(byte))
        }
        try inflater.finish()
        XCTAssertEqual(restored, input)
    }

    func testStreamingTruncationIsReportedByFinish() throws {
        let compressed = try Zlib.deflate(TestData.compressible(count: 50_000), format: .gzip)
        let inflater = try Inflater(format: .gzip)
        let partial = try inflater.update(compressed.dropLast(3))
        XCTAssertGreaterThan(partial.count, 0, "data before the cut is still delivered")
        XCTAssertFalse(inflater.reachedEnd)
        XCTAssertThrowsError(try inflater.finish()) { error in
            XCTAssertEqual((error as? ZlibError)?.kind, .truncated)
        }
    }

    func testStreamingOutputLimitCountsAcrossChunks() throws {
        let deflater = try Deflater(level: 9)
        var bomb: [UInt8] = []
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<64 {
            bomb += try deflater.update(zeros)
        }
        bomb += try deflater.finish()
        let inflater = try Inflater(maxOutputBytes: 10 << 20)
        var produced = 0
        XCTAssertThrowsError(try {
            for chunk in self.chunks(bomb, size: 1024) {
                try inflater.update(chunk) { produced += $0.count }
            }
        }()) { error in
            XCTAssertEqual((error as? ZlibError)?.kind, .outputLimitExceeded)
        }
        XCTAssertLessThanOrEqual(produced, 10 << 20, "never hands out more than the limit")
        XCTAssertThrowsError(try inflater.update([0])) { error in
            XCTAssertEqual("\(error)", "cannot inflate: stream failed earlier and cannot continue")
        }
    }

    func testUsingAFinishedStreamThrows() throws {
        let deflater = try Deflater()
        var compressed = try deflater.update(Array("abc".utf8))
        compressed += try deflater.finish()
        XCTAssertThrowsError(try deflater.update([1])) { error in
            XCTAssertEqual("\(error)", "cannot deflate: stream is already finished")
        }
        XCTAssertThrowsError(try deflater.finish())

        let inflater = try Inflater()
        XCTAssertEqual(try inflater.update(compressed), Array("abc".utf8))
        try inflater.finish()
        XCTAssertThrowsError(try inflater.finish())
    }

    func testSinkErrorsPropagateAndFailTheStream() throws {
        struct Full: Error {}
        let deflater = try Deflater(level: 0)
        XCTAssertThrowsError(try deflater.update(TestData.random(count: 200_000)) { _ in throw Full() }) { error in
            XCTAssertTrue(error is Full)
        }
        XCTAssertThrowsError(try deflater.finish())
    }
}

extension StreamingTests {
    /// Output filling the 64 KiB buffer just as the input runs out must not lose the rest.
    func testOutputBufferBoundaryAtEndOfInput() throws {
        for format in Zlib.Format.allCases {
            for size in [65_536, 65_537, 65_636, 65_793, 65_794, 131_072 + 200, 196_608 + 258] {
                let input = [UInt8](repeating: 0, count: size)
                let compressed = try Zlib.deflate(input, level: 9, format: format)
                for piece in [compressed.count, 1] {
                    let inflater = try Inflater(format: format)
                    var restored: [UInt8] = []
                    for chunk in chunks(compressed, size: piece) {
                        restored += try inflater.update(chunk)
                    }
                    XCTAssertNoThrow(try inflater.finish(), "\(format) \(size) in pieces of \(piece)")
                    XCTAssertEqual(restored.count, size, "\(format) \(size) in pieces of \(piece)")
                }
            }
        }
    }
}
