import CSPCrypto
import Foundation

/// One block's rows, derived by the reader thread for the writer.
struct DerivedBlock {
    var number: UInt64
    var hash: SHA256Digest
    var commitHash: SHA256Digest
    var transactions: Int
    var rows: RowBatch
}

/// A value handed from one thread to another where the code guarantees that only one of
/// them uses it at a time (the reader owns it until it finishes; the writer reads it after).
final class Unchecked<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// A bounded queue from the reader thread to the writer: the reader waits when the writer
/// is `capacity` blocks behind (memory stays bounded), and stops when the writer cancels.
final class BlockPipe: @unchecked Sendable {
    enum Item {
        case block(DerivedBlock)
        case end
        case failed(Unchecked<any Error>)
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var cancelled = false
    private var finished = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds an item, waiting for room; false once the writer has cancelled.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for one.
    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head { condition.wait() }
        let item = items[head]
        head += 1
        if head > 64 {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// The writer is done (or failed): the reader stops at its next block.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called by the reader as its last act.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilFinished() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
