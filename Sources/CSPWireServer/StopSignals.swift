import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, caught from the moment this is made: a signal that comes before
/// there is anything to stop (a node still opening its ledgers) is kept, and handled as
/// soon as `onSignal` sets the handler, so the first SIGTERM is never lost.
public final class StopSignals: @unchecked Sendable {
    // @unchecked: `sources` is set in init and only cancelled after; the rest is in `state`.
    private struct State {
        var caught = false
        var handler: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private var sources: [DispatchSourceSignal] = []
    /// Serial: a second signal waits for the first one's handler.
    private let queue = DispatchQueue(label: "csp stop signals")

    public init() {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.caught() }
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Sets what a signal does; runs it at once (on the signal queue) if one came already.
    public func onSignal(_ handler: @escaping @Sendable () -> Void) {
        let caught = state.withLock { state in
            state.handler = handler
            return state.caught
        }
        if caught { queue.async(execute: handler) }
    }

    private func caught() {
        let handler = state.withLock { state in
            state.caught = true
            return state.handler
        }
        handler?()
    }
}
