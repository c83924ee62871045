#if canImport(Glibc)
import Glibc
#endif
import CSPBasics

/// A buffered writer to a file descriptor: large writes, EINTR retried, a closed pipe
/// reported as an error instead of a signal.
public final class ByteWriter {
    private let descriptor: Int32
    private let name: String
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private let capacity: Int

    public init(descriptor: Int32, name: String, ownsDescriptor: Bool = false, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.name = name
        self.ownsDescriptor = ownsDescriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity + 4096)
        // A reader that goes away (`| head`) must end the export with an error, not kill it silently.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Creates (or truncates) `path`.
    public convenience init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw KVRError(.failure, "\(SystemError("cannot create \(quoted(path))"))") }
        self.init(descriptor: descriptor, name: quoted(path), ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { try flush() }
    }

    public func flush() throws {
        var offset = 0
        try buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw KVRError(.failure, "\(SystemError("cannot write to \(name)"))")
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and makes the data durable (for files).
    public func sync() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw KVRError(.failure, "\(SystemError("cannot sync \(name)"))") }
    }
}

/// stdout, for SQL text.
public func StandardOutput() -> ByteWriter {
    ByteWriter(descriptor: STDOUT_FILENO, name: "standard output")
}
