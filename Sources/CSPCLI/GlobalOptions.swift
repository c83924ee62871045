import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// How structured results are printed.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// One JSON object per line, for scripts and `jq`.
    case json
    /// Aligned text for people.
    case text
}

/// Options every csp command takes, declared once and shared.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp(
        "The participant's folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).",
        valueName: "dir"), completion: .directory)
    public var home: String?

    @Option(name: .long, help: ArgumentHelp(
        "The node's Unix socket (default: $CSP_SOCKET, else <home>/node.sock).",
        valueName: "path"), completion: .file())
    public var socket: String?

    @Option(name: .long, help: "Output format: json (one object per line) or text.")
    public var format: OutputFormat?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Say more about what is happening, on stderr.")
    public var verbose = false

    public init() {}

    public func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    /// --home, then $CSP_HOME, then ~/.csp.
    public var resolvedHome: String {
        if let home, !home.isEmpty { return home }
        if let env = Environment.value("CSP_HOME"), !env.isEmpty { return env }
        return (Environment.value("HOME") ?? ".") + "/.csp"
    }

    /// --socket, then $CSP_SOCKET, then <home>/node.sock.
    public var resolvedSocket: String {
        if let socket, !socket.isEmpty { return socket }
        if let env = Environment.value("CSP_SOCKET"), !env.isEmpty { return env }
        return resolvedHome + "/node.sock"
    }

    /// Output in the chosen format, text unless --format says otherwise.
    public var output: Output { output(defaultFormat: .text) }

    /// For commands whose natural output is JSON (submitting a transaction).
    public func output(defaultFormat: OutputFormat) -> Output { Output(format: format ?? defaultFormat, quiet: quiet) }
}

public enum Environment {
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
