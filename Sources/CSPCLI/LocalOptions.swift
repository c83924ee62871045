import ArgumentParser
import CSPBasics

/// GlobalOptions without --socket, for the commands that talk to no node (csp-node init,
/// csp-tx encode, csp-audit hash, …): an option is offered only where it is used.
/// Behaves as GlobalOptions does (config file, $CSP_FORMAT, --verbose) through
/// GlobalOptions.prepare.
public struct LocalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp(
        "The home folder and its 'config' file (default: $CSP_HOME, else ~/.csp).",
        valueName: "dir"), completion: .directory)
    public var home: String?

    @Option(name: .long, help: "Output format: json (one object per line) or text (default: $CSP_FORMAT, else 'format' in <home>/config).")
    public var format: OutputFormat?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    public var quiet = false

    @Flag(name: .shortAndLong, help: "Say more on stderr: where the home and its config came from.")
    public var verbose = false

    public init() {}

    public mutating func validate() throws {
        let configuration = try GlobalOptions.prepare(home: home, format: &format, quiet: quiet, verbose: verbose)
        if verbose { Diagnostics.note(GlobalOptions.describeHome(home) + "; config \(configuration.path.map(quoted) ?? "none")") }
    }

    /// --home, then $CSP_HOME, then ~/.csp.
    public var resolvedHome: String { GlobalOptions.resolveHome(home) }

    /// Output in the chosen format, text unless --format says otherwise.
    public var output: Output { output(defaultFormat: .text) }

    public func output(defaultFormat: OutputFormat) -> Output { Output(format: format ?? defaultFormat, quiet: quiet) }
}
