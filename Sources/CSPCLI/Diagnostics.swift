#if canImport(Glibc)
import Glibc
#endif

/// Writes diagnostics to stderr in git's style: `error: cannot open 'x': permission denied`.
public enum Diagnostics {
    public static func error(_ message: String) { write("error: \(message)\n") }
    public static func warning(_ message: String) { write("warning: \(message)\n") }
    public static func note(_ message: String) { write("\(message)\n") }

    /// One unbuffered write so lines from concurrent tools never interleave mid-line.
    private static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }
}
