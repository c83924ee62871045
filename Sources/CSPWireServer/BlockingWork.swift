import NIOPosix

/// Blocking work (LevelDB reads, block decodes, SQLite, scrypt) runs on NIO's thread
/// pool: off the event loops and off Swift's cooperative threads, so a slow read stalls
/// neither the server's sockets nor its other tasks.
public enum BlockingWork {
    public static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
