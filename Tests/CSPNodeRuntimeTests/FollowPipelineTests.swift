import CSPCrypto
@testable import CSPNodeRuntime
import CSPTestSupport
import Foundation
import XCTest

/// The pieces of a follower's pipeline (docs/NETWORK.md, "Following"): a push stream's
/// frames checked in order beside the reading thread, runs verified ahead of the ledger
/// over the writes of runs not yet committed, and the blocks a node keeps for its pushes.
final class FollowPipelineTests: XCTestCase {
    struct Bad: Error, Equatable {}

    /// An empty run starting at `height` whose state writes key "h<height>".
    private func run(_ height: UInt64) -> VerifiedRun {
        var run = VerifiedRun(height: height, blocks: [])
        run.layer.writes[Array("h\(height)".utf8)] = .some([1])
        return run
    }

    /// `run(height)` with one verified block, so that, like a real run, it has a layer.
    private func verifiedRun(_ height: UInt64) throws -> VerifiedRun {
        let builder = ChainBuilder(channel: "consortium")
        let record = try builder.block([try builder.writes([("kv/a", "1")])])
        let block = FetchedBlock(record: record, payload: record.encoded(), signatures: [true], source: "test")
        var run = VerifiedRun(height: height, blocks: [block])
        run.verified = [block]
        run.layer.writes[Array("h\(height)".utf8)] = .some([1])
        return run
    }

    func testStreamFramesAreCheckedInOrderAndNothingAfterABadOneIsDelivered() {
        let delivered = LockedList()
        let closed = LockedList()
        let checks = StreamChecks(onFailure: { closed.append(0) })
        for frame in 0..<200 {
            checks.add {
                if frame % 7 == 0 { usleep(100) }
                if frame == 120 { throw Bad() }
                delivered.append(frame)
            }
        }
        checks.finish()
        XCTAssertEqual(delivered.values, Array(0..<120), "in order, and nothing from the bad frame on")
        XCTAssertEqual(closed.values, [0], "the connection is closed once")
        XCTAssertEqual(checks.failure as? Bad, Bad())
        // Frames queued after the failure are skipped, not checked.
        checks.add { delivered.append(999) }
        checks.finish()
        XCTAssertFalse(delivered.values.contains(999))
    }

    func testARunIsVerifiedOverTheWritesOfRunsNotYetCommitted() {
        let layers = StateLayers()
        let key = Array("k".utf8), other = Array("o".utf8)
        var first = StateLayers.Layer()
        first.writes[key] = .some(Array("one".utf8))
        first.ids.insert(SHA256.hash(Array("tx1".utf8)))
        var second = StateLayers.Layer()
        second.writes[key] = .some(Array("two".utf8))
        layers.push(10, first)
        layers.push(12, second)
        XCTAssertEqual(layers.value(for: key), .some(Array("two".utf8)), "the newest run's write")
        XCTAssertNil(layers.value(for: other), "not written by any: the ledger's")
        XCTAssertTrue(layers.contains(transaction: SHA256.hash(Array("tx1".utf8))))
        // Once a run is in the ledger its layer goes; the newer one still shows.
        layers.pop(10)
        XCTAssertEqual(layers.value(for: key), .some(Array("two".utf8)))
        XCTAssertFalse(layers.contains(transaction: SHA256.hash(Array("tx1".utf8))))
        layers.pop(12)
        XCTAssertNil(layers.value(for: key))
    }

    func testABrokenPipelineDropsTheRunsQueuedBehindAndTakesNoMoreUntilRepaired() {
        let commits = FollowCommits()
        XCTAssertTrue(commits.add(run(5)))
        XCTAssertTrue(commits.add(run(6)))
        XCTAssertTrue(commits.add(run(7)))
        let writing = commits.next()
        XCTAssertEqual(writing?.height, 5)
        XCTAssertEqual(commits.nextIfQueued()?.height, 6, "queued runs are written together")
        // Run 6 could not be written: 7, verified on top of it, is dropped with its state.
        commits.broke([])
        XCTAssertTrue(commits.isBroken)
        XCTAssertNil(commits.nextIfQueued())
        XCTAssertFalse(commits.add(run(8)), "nothing is taken until verification restarts from the ledger")
        XCTAssertNil(commits.layers.value(for: Array("h7".utf8)))
        let idle = expectation(description: "idle once the runs being written are done")
        DispatchQueue.global().async {
            commits.waitUntilIdle()
            idle.fulfill()
        }
        commits.done([writing!, run(6)])
        wait(for: [idle], timeout: 10)
        commits.repaired()
        XCTAssertTrue(commits.add(run(6)))
        commits.stop()
        XCTAssertNil(commits.next(), "a stopped writer takes nothing more")
    }

    /// The verifying thread commits a short run itself only when nothing is being written
    /// or waits, so commits stay in order (its state is layered as `add` layers it).
    func testAShortRunIsClaimedForTheVerifyingThreadOnlyWhenTheWriterIsIdle() throws {
        let commits = FollowCommits()
        let claimed = try verifiedRun(5)
        XCTAssertTrue(commits.claimIfIdle(claimed))
        XCTAssertEqual(commits.layers.value(for: Array("h5".utf8)), .some([1]), "its writes are seen by the next run")
        XCTAssertFalse(commits.claimIfIdle(run(6)), "one is being written")
        XCTAssertTrue(commits.add(run(6)))
        commits.done([claimed])
        XCTAssertNil(commits.layers.value(for: Array("h5".utf8)))
        XCTAssertFalse(commits.claimIfIdle(run(7)), "run 6 waits for the writer")
        let queued = commits.next()
        XCTAssertEqual(queued?.height, 6)
        commits.done([queued!])
        XCTAssertTrue(commits.claimIfIdle(run(7)))
        commits.broke([])
        commits.done([run(7)])
        XCTAssertFalse(commits.claimIfIdle(run(8)), "nothing is taken while the pipeline is broken")
        commits.repaired()
        commits.stop()
        XCTAssertFalse(commits.claimIfIdle(run(8)), "nor once stopped")
    }

    func testRecentBlocksKeepTheLastOnesInOrderAndStartAfreshAfterAGap() {
        var recent = RecentBlocks()
        XCTAssertNil(recent.blocks(from: 0, limit: 10))
        for number in UInt64(5)..<10 { recent.append(number, "b\(number)") }
        XCTAssertEqual(recent.blocks(from: 7, limit: 10), ["b7", "b8", "b9"])
        XCTAssertEqual(recent.blocks(from: 5, limit: 2), ["b5", "b6"])
        XCTAssertNil(recent.blocks(from: 4, limit: 10), "older: read from the ledger")
        XCTAssertNil(recent.blocks(from: 10, limit: 10), "not committed yet")
        recent.append(20, "b20")
        XCTAssertNil(recent.blocks(from: 9, limit: 10), "a gap: only what follows it is kept")
        XCTAssertEqual(recent.blocks(from: 20, limit: 10), ["b20"])
        for number in UInt64(21)..<(21 + UInt64(RecentBlocks.limit)) { recent.append(number, "b\(number)") }
        XCTAssertLessThanOrEqual(recent.end - recent.first, UInt64(RecentBlocks.limit))
        XCTAssertEqual(recent.end, 21 + UInt64(RecentBlocks.limit))
        XCTAssertEqual(recent.blocks(from: recent.end - 1, limit: 10), ["b\(recent.end - 1)"])
    }
}

/// Values appended from any thread.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func append(_ value: Int) { lock.withLock { list.append(value) } }
    var values: [Int] { lock.withLock { list } }
}
