import ArgumentParser
import CSPBasics

/// The version every csp tool reports.
public enum CSPVersion {
    public static let string = "0.1.0"
}

/// A csp command: `execute()` returns the exit status, and any error becomes one
/// `error: ...` line on stderr with its documented exit code instead of a trap or a
/// Swift error dump.
public protocol CSPCommand: ParsableCommand {
    func execute() throws -> ExitStatus
}

extension CSPCommand {
    public func run() throws {
        let status: ExitStatus
        do {
            status = try execute()
        } catch let failure as CommandFailure {
            Diagnostics.error(failure.message)
            throw failure.status.exitCode
        } catch let refusal as Refusal {
            Diagnostics.error(refusal.description)
            throw ExitStatus.no.exitCode
        } catch let exit as ExitCode {
            throw exit
        } catch let validation as ValidationError {
            throw validation
        } catch {
            Diagnostics.error(String(describing: error))
            throw ExitStatus.failure.exitCode
        }
        if status != .success { throw status.exitCode }
        if SuspectAnswer.reason != nil { throw ExitStatus.failure.exitCode }
    }
}

/// Every command's configuration carries the version, so `--version` works at every level.
extension CommandConfiguration {
    public static func csp(
        commandName: String? = nil,
        abstract: String,
        discussion: String = "",
        subcommands: [ParsableCommand.Type] = [],
        defaultSubcommand: ParsableCommand.Type? = nil
    ) -> CommandConfiguration {
        CommandConfiguration(
            commandName: commandName,
            abstract: abstract,
            discussion: discussion.isEmpty ? exitStatusHelp
                // A command that states its own exit codes says them once.
                : discussion.contains("Exit status:") || discussion.contains("Exit codes:") ? discussion
                : discussion + "\n\n" + exitStatusHelp,
            version: CSPVersion.string,
            subcommands: subcommands,
            defaultSubcommand: defaultSubcommand)
    }

    /// Printed by every --help and so carried into every man page.
    public static let exitStatusHelp = """
        Exit status: 0 yes/done; 1 the answer is no (mismatch, not found, invalid or \
        refused); 2 could not answer (I/O error, malformed input, unreachable node); \
        64 usage error.
        """
}

extension ParsableCommand {
    /// The entry point of every csp executable. Help, --version and completion scripts
    /// print as argument-parser prints them; a tool or command group run without a
    /// subcommand prints its help on stderr and exits 64; options given before the
    /// subcommand are moved after it, as git accepts them (`csp-audit --format json
    /// hash`); usage errors become one git-style line naming the subcommand's help, with
    /// the nearest subcommand or option on a typo (`error: unknown command 'regster';
    /// did you mean 'register'? (see 'csp-ca --help')`), and exit 64; command failures
    /// were already reported by `CSPCommand.run()` and only set the exit code.
    public static func cspMain(_ arguments: [String]? = nil) -> Never {
        // Swift would replace invalid bytes with U+FFFD without a word: a key or value
        // that is not UTF-8 is refused instead of silently changed.
        if arguments == nil, let bad = Usage.firstNonUTF8Argument() {
            Diagnostics.error("argument \(bad) is not valid UTF-8 text (see '\(configuration.commandName ?? _commandName) --help')")
            exit(withError: ExitStatus.usage.exitCode)
        }
        let arguments = Usage.hoistingOptions(arguments ?? Array(CommandLine.arguments.dropFirst()), root: self)
        do {
            var command = try parseAsRoot(arguments)
            let parsed = type(of: command)
            if !(command is any CSPCommand), !parsed.configuration.subcommands.isEmpty {
                Diagnostics.note(helpMessage(for: parsed).trimmingCharacters(in: .newlines))
                exit(withError: ExitStatus.usage.exitCode)
            }
            try command.run()
            if let status = Output.flushStandardOutput() { exit(withError: status.exitCode) }
            exit()
        } catch let status as ExitCode {
            exit(withError: status)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // Help, --version, a completion script: printed as argument-parser prints
                // them, and, like any result, not reported done if it could not be written.
                let text = fullMessage(for: error)
                if !text.isEmpty { print(text) }
                if let status = Output.flushStandardOutput() { exit(withError: status.exitCode) }
                exit()
            }
            // An ExitCode thrown while validating (a malformed home config) was reported already.
            guard let message = self.message(for: error).split(separator: "\n").first.map(String.init) else { exit(withError: code) }
            Diagnostics.error(Usage.describe(message, arguments: arguments, root: self))
            exit(withError: code)
        }
    }
}
