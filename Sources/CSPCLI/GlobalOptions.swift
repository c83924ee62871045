import ArgumentParser
import CSPBasics
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
        "The home folder: identity, keys, its 'config' file (default: $CSP_HOME, else ~/.csp).",
        valueName: "dir"), completion: .directory)
    public var home: String?

    @Option(name: .long, help: ArgumentHelp(
        "The node's Unix socket (default: $CSP_SOCKET, else 'socket' in <home>/config, else <home>/node.sock).",
        valueName: "path"), completion: .file())
    public var socket: String?

    @Option(name: .long, help: "Output format: json (one object per line) or text (default: $CSP_FORMAT, else 'format' in <home>/config).")
    public var format: OutputFormat?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.")
    public var verbose = false

    public init() {}

    /// Also reads the home's `config` file (HomeConfiguration) and fills in --format from
    /// `$CSP_FORMAT`, then the file, so every command sees the format in force. A
    /// malformed file ends the command with its line (exit 2) before anything runs.
    public mutating func validate() throws {
        let configuration = try Self.prepare(home: home, format: &format, quiet: quiet, verbose: verbose)
        Self.resolvedSocketOrigin.value = socketAndOrigin
        // What --verbose means for every command: where this run's locations came from.
        if verbose { Diagnostics.note(Self.describeHome(home) + "; config \(configuration.path.map(quoted) ?? "none"); socket \(quoted(resolvedSocket)) (from \(socketOrigin))") }
    }

    /// What every tool's shared options do once parsed, whichever type declares them
    /// (GlobalOptions, or a tool's own for a home that is not a participant's): refuse
    /// --quiet with --verbose, load the home's config file (a malformed one ends the
    /// command with its line, exit 2), fill in the format from $CSP_FORMAT, then the file.
    public static func prepare(home: String?, format: inout OutputFormat?, quiet: Bool, verbose: Bool) throws -> HomeConfiguration {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
        let configuration: HomeConfiguration
        do { configuration = try HomeConfiguration.load(home: resolveHome(home)) } catch let failure as CommandFailure {
            Diagnostics.error(failure.message)
            throw failure.status.exitCode
        }
        HomeConfiguration.setCurrent(configuration)
        if format == nil, let env = Environment.value("CSP_FORMAT"), !env.isEmpty {
            guard let parsed = OutputFormat(rawValue: env) else { throw ValidationError("CSP_FORMAT '\(env)' is not json or text") }
            format = parsed
        }
        if format == nil { format = configuration.format }
        return configuration
    }

    /// "home '/h' (from --home)", for --verbose.
    public static func describeHome(_ flag: String?) -> String {
        let origin = flag.map { _ in "--home" } ?? (Environment.value("CSP_HOME").map { $0.isEmpty ? nil : "$CSP_HOME" } ?? nil) ?? "the default ~/.csp"
        return "home \(quoted(resolveHome(flag))) (from \(origin))"
    }

    /// The flag, then $CSP_HOME, then ~/.csp.
    public static func resolveHome(_ flag: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = Environment.value("CSP_HOME"), !env.isEmpty { return env }
        return (Environment.value("HOME") ?? ".") + "/.csp"
    }

    /// --home, then $CSP_HOME, then ~/.csp.
    public var resolvedHome: String { Self.resolveHome(home) }

    /// The home's configuration: the one validate() loaded, else read now (errors were
    /// validate()'s to report).
    private var configuration: HomeConfiguration {
        let current = HomeConfiguration.current
        if current.path == resolvedHome + "/" + HomeConfiguration.fileName { return current }
        return (try? HomeConfiguration.load(home: resolvedHome)) ?? HomeConfiguration()
    }

    /// --socket, then $CSP_SOCKET, then the home's `config`, then <home>/node.sock.
    public var resolvedSocket: String { socketAndOrigin.path }

    /// Where the socket path came from, for messages: "--socket", "$CSP_SOCKET",
    /// "'/h/config'", "the default <home>/node.sock".
    public var socketOrigin: String { socketAndOrigin.origin }

    private var socketAndOrigin: (path: String, origin: String) {
        if let socket, !socket.isEmpty { return (socket, "--socket") }
        if let env = Environment.value("CSP_SOCKET"), !env.isEmpty { return (env, "$CSP_SOCKET") }
        let configuration = self.configuration
        if let socket = configuration.socket, let path = configuration.path { return (socket, quoted(path)) }
        return (resolvedHome + "/node.sock", "the default <home>/node.sock")
    }

    /// A failure to reach the node at `resolvedSocket`, said so that the user knows what
    /// to do; see `cannotConnect(_:socket:origin:)`.
    public func cannotConnect(_ error: any Error) -> any Error {
        Self.cannotConnect(error, socket: resolvedSocket, origin: socketOrigin)
    }

    /// A failure to connect to `socket` said so that the user knows what to do: no socket
    /// there (is csp-node running?), nobody listening, a path too long; always with the
    /// path tried and where it came from (`origin`; guessed from the environment and
    /// the home's config when nil). Other errors pass through.
    public static func cannotConnect(_ error: any Error, socket path: String, origin: String? = nil) -> any Error {
        guard let system = error as? SystemError, system.action.hasPrefix("cannot connect") else { return error }
        let from = "path from " + (origin ?? guessOrigin(of: path))
        switch system.code {
        case ENOENT:
            return ConnectFailure(message: "cannot connect to \(quoted(path)): no such socket; is csp-node running? (\(from))")
        case ECONNREFUSED:
            return ConnectFailure(message: "cannot connect to \(quoted(path)): connection refused; the socket exists but no node listens on it (\(from))")
        case ENAMETOOLONG:
            return ConnectFailure(message: "cannot connect to \(quoted(path)): the path is longer than a Unix socket allows (107 bytes); use a shorter home or --socket (\(from))")
        default:
            return ConnectFailure(message: "\(system.description) (\(from))")
        }
    }

    /// The socket this run's options resolved to, and from where (set by validate()).
    private static let resolvedSocketOrigin = Locked<(path: String, origin: String)?>(nil)

    private static func guessOrigin(of path: String) -> String {
        if let resolved = resolvedSocketOrigin.value, resolved.path == path { return resolved.origin }
        if Environment.value("CSP_SOCKET") == path { return "$CSP_SOCKET" }
        return "--socket"
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

/// The node could not be reached: exit 2, one line saying why and which path was tried.
/// Its own type, so a command that retries (csp-tx watch) can tell it from a refusal.
public struct ConnectFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
