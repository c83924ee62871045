import Synchronization

/// A value behind a lock, for the few fields that signal handlers, threads and tasks share.
public final class Locked<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>

    public init(_ value: Value) { stored = Mutex(value) }

    public var value: Value {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
