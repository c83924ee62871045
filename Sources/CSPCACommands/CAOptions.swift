import ArgumentParser
import CSPCLI

/// csp-ca's shared options: its --home is the CA's folder, and it talks to no node, so
/// it has no --socket (csp-ca serve declares its own). Behaves as GlobalOptions does
/// (config file, $CSP_FORMAT, --verbose) through GlobalOptions.prepare.
struct CAOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The CA's folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant's folder.",
        valueName: "dir"), completion: .directory)
    var home: String?

    @Option(name: .long, help: "Output format: json (one object per line) or text (default: $CSP_FORMAT, else 'format' in <home>/config).")
    var format: OutputFormat?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Say more on stderr: where the home and its config came from; serve logs connections.")
    var verbose = false

    mutating func validate() throws {
        let configuration = try GlobalOptions.prepare(home: home, format: &format, quiet: quiet, verbose: verbose)
        if verbose { Diagnostics.note(GlobalOptions.describeHome(home) + "; config \(configuration.path.map { "'\($0)'" } ?? "none")") }
    }

    var resolvedHome: String { GlobalOptions.resolveHome(home) }

    var output: Output { output(defaultFormat: .text) }

    func output(defaultFormat: OutputFormat) -> Output { Output(format: format ?? defaultFormat, quiet: quiet) }
}
