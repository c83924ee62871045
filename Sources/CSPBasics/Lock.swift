import Synchronization

/// The one lock of the code base for a critical section that guards several fields: the
/// standard library's `Mutex`, in a class so it can be shared and never moves. Where one
/// value is guarded, hold a `Mutex<Value>` (or `Locked`) instead; a condition variable
/// (`NSCondition`) is for waiting, not for guarding.
public final class Lock: Sendable {
    private let mutex = Mutex<Void>(())

    public init() {}

    @inline(__always)
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.withLock { _ throws -> R in try body() }
    }
}
