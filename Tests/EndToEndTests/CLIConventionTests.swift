import CSPTestSupport
import Foundation
import XCTest

/// Every tool and subcommand answers --help and --version, usage errors exit 64 with one
/// git-style line, and the committed completion scripts are what the commands generate.
final class CLIConventionTests: XCTestCase {
    static let tools = ["csp-node", "csp-ca", "csp-tx", "csp-kvr", "csp-audit"]
    static let subcommands = [["csp-audit", "hash"], ["csp-audit", "check"], ["csp-ca", "keygen"], ["csp-tx", "encode"]]

    func bin(_ tool: String) -> String { productsDirectory + "/" + tool }

    func testEveryToolAndSubcommandAnswersHelpAndVersion() throws {
        for command in Self.tools.map({ [$0] }) + Self.subcommands {
            let tool = bin(command[0]), rest = Array(command.dropFirst())
            let help = try runProcess(tool, rest + ["--help"])
            XCTAssertEqual(help.status, 0, "\(command) --help: \(help.stderr)")
            XCTAssertTrue(help.stdout.contains("USAGE: \(command.joined(separator: " "))"), "\(command): \(help.stdout)")
            XCTAssertTrue(help.stdout.contains("Exit status: 0") || help.stdout.contains("Exit codes:"), "\(command) help lists exit codes")
            XCTAssertLessThanOrEqual(help.stdout.components(separatedBy: "Exit status:").count, 2, "\(command) help says its exit codes once")
            XCTAssertEqual(help.stderr, "")
            let version = try runProcess(tool, rest + ["--version"])
            XCTAssertEqual(version.status, 0, "\(command) --version")
            XCTAssertEqual(version.stdout, "0.1.0\n", "\(command) --version")
        }
    }

    /// Help, a version, a completion script and a command's own output that cannot be
    /// written (a full disk) end in exit 2 with one line, never in exit 0; a reader that
    /// stops reading is no error. (One large print into a full disk leaves stdio nothing
    /// to fail on at exit but its error flag.)
    func testUnwritableOutputIsAnErrorEverywhere() throws {
        var commands = Self.tools.flatMap { ["'\(bin($0))' --help", "'\(bin($0))' --version"] }
        commands += ["'\(bin("csp-kvr"))' --generate-completion-script bash", "'\(bin("csp-kvr"))' schema --dialect postgres",
                     "'\(bin("csp-ca"))' keygen --help"]
        for command in commands {
            let full = try runProcess("/bin/sh", ["-c", command + " > /dev/full"])
            XCTAssertEqual(full.status, 2, command)
            XCTAssertEqual(full.stderr, "error: cannot write output: No space left on device\n", command)
            let fine = try runProcess("/bin/sh", ["-c", command + " > /dev/null"])
            XCTAssertEqual(fine.status, 0, command + fine.stderr)
        }
        // The schema into a reader that reads nothing and is gone, mostly before the write,
        // with SIGPIPE ignored (so the write gets EPIPE): no error.
        for _ in 0..<5 {
            let piped = try runProcess("/bin/bash", ["-c", "trap '' PIPE; set -o pipefail; '\(bin("csp-kvr"))' schema --dialect postgres | true"])
            XCTAssertEqual(piped.stderr, "")
            XCTAssertEqual(piped.status, 0)
        }
    }

    func testUsageErrorsExit64WithOneLine() throws {
        let unknown = try runProcess(bin("csp-audit"), ["--no-such-option"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertEqual(unknown.stderr, "error: unknown option '--no-such-option' (see 'csp-audit --help')\n")
        XCTAssertEqual(unknown.stdout, "")
        let missing = try runProcess(bin("csp-ca"), ["keygen"])
        XCTAssertEqual(missing.status, 64)
        XCTAssertEqual(missing.stderr, "error: missing expected argument '--out <file>' (see 'csp-ca keygen --help')\n")
        let badFormat = try runProcess(bin("csp-audit"), ["hash", "--format", "xml"])
        XCTAssertEqual(badFormat.status, 64)
        XCTAssertTrue(badFormat.stderr.hasPrefix("error: "), badFormat.stderr)
        let both = try runProcess(bin("csp-audit"), ["hash", "-q", "-v"])
        XCTAssertEqual(both.status, 64)
        XCTAssertEqual(both.stderr, "error: --quiet and --verbose cannot be used together (see 'csp-audit hash --help')\n")
    }

    func testToolWithoutSubcommandPrintsHelpAndExits64() throws {
        for command in [["csp-node"], ["csp-ca"], ["csp-tx"], ["csp-audit"], ["csp-kvr"], ["csp-node", "config"], ["csp-tx", "contract"]] {
            let result = try runProcess(bin(command[0]), Array(command.dropFirst()))
            XCTAssertEqual(result.status, 64, "\(command)")
            XCTAssertEqual(result.stdout, "", "\(command)")
            XCTAssertTrue(result.stderr.contains("USAGE: \(command.joined(separator: " "))"), "\(command): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("SUBCOMMANDS:"), "\(command): \(result.stderr)")
        }
    }

    func testTyposGetTheNearestSubcommandOrOption() throws {
        let command = try runProcess(bin("csp-ca"), ["regster", "alice"])
        XCTAssertEqual(command.status, 64)
        XCTAssertEqual(command.stderr, "error: unknown command 'regster' for 'csp-ca'; did you mean 'register'? (see 'csp-ca --help')\n")
        let nested = try runProcess(bin("csp-node"), ["config", "sho"])
        XCTAssertEqual(nested.stderr, "error: unknown command 'sho' for 'csp-node config'; did you mean 'show'? (see 'csp-node config --help')\n")
        let nothing = try runProcess(bin("csp-tx"), ["xyzzy"])
        XCTAssertEqual(nothing.stderr, "error: unknown command 'xyzzy' for 'csp-tx' (see 'csp-tx --help')\n")
        let option = try runProcess(bin("csp-audit"), ["hash", "--fromat", "json", "x"])
        XCTAssertEqual(option.status, 64)
        XCTAssertEqual(option.stderr, "error: unknown option '--fromat'; did you mean '--format'? (see 'csp-audit hash --help')\n")
    }

    func testArgumentsThatAreNotUTF8AreRefused() throws {
        // Through bash's printf: Process would not pass invalid UTF-8 as it is.
        let result = try runProcess("/bin/bash", ["-c", #"\#(bin("csp-tx")) query "$(printf 'kv/\377')""#])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderr, "error: argument 2 is not valid UTF-8 text (see 'csp-tx --help')\n")
    }

    func testOptionsBeforeTheSubcommandAreAccepted() throws {
        let dir = try temporaryDirectory(self)
        try "x\n".write(toFile: dir + "/f", atomically: true, encoding: .utf8)
        let before = try runProcess(bin("csp-audit"), ["--format", "json", "hash", dir + "/f"])
        let after = try runProcess(bin("csp-audit"), ["hash", "--format", "json", dir + "/f"])
        XCTAssertEqual(before.status, 0, before.stderr)
        XCTAssertEqual(before.stdout, after.stdout)
        XCTAssertTrue(before.stdout.hasPrefix("{"), before.stdout)
        let quiet = try runProcess(bin("csp-node"), ["-q", "--home", dir, "channels"])
        XCTAssertEqual(quiet.stderr, "")
        let nested = try runProcess(bin("csp-node"), ["--home", dir + "/nonexistent", "config", "show"])
        XCTAssertEqual(nested.status, 2, nested.stderr)
        XCTAssertEqual(nested.stderr, "error: no node home '\(dir)/nonexistent': no such directory\n")
    }

    func testCommittedCompletionsMatchTheCommands() throws {
        for tool in Self.tools {
            for (shell, file) in [("bash", "bash/\(tool)"), ("zsh", "zsh/_\(tool)"), ("fish", "fish/\(tool).fish")] {
                let generated = try runProcess(bin(tool), ["--generate-completion-script", shell])
                XCTAssertEqual(generated.status, 0)
                let committed = try String(contentsOfFile: repositoryRoot + "/completions/" + file, encoding: .utf8)
                XCTAssertEqual(generated.stdout, committed, "completions/\(file) is stale: run 'make completions'")
            }
        }
    }

    func testCommittedManPagesExistForEveryCommand() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/man")
        for command in Self.tools.map({ [$0] }) + Self.subcommands {
            let page = command.joined(separator: "-") + ".1"
            XCTAssertTrue(pages.contains(page), "man/\(page) is missing: run 'make man'")
            if command.count > 1 {
                // The old name stays, as a link to the git-style page.
                let old = repositoryRoot + "/man/" + command.joined(separator: ".") + ".1"
                XCTAssertEqual(try? FileManager.default.destinationOfSymbolicLink(atPath: old), page, "man/\(command.joined(separator: ".")).1 links to \(page)")
            }
        }
        let submit = try String(contentsOfFile: repositoryRoot + "/man/csp-tx-submit.1", encoding: .utf8)
        for section in [".Sh ENVIRONMENT", ".Sh FILES", ".Sh EXIT STATUS", ".Sh EXAMPLES", ".It Ev CSP_CHANNEL", ".It 64"] {
            XCTAssertTrue(submit.contains(section), "csp-tx-submit.1 has \(section)")
        }
        XCTAssertTrue(submit.contains(".Nm csp-tx-submit\n"))
        XCTAssertFalse(submit.contains(".Ex -std"), "a real EXIT STATUS, not mdoc's placeholder")
        // No mdoc warnings, where groff is installed to tell.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else { return }
        for page in pages where page.hasPrefix("csp-") && (try? FileManager.default.destinationOfSymbolicLink(atPath: repositoryRoot + "/man/" + page)) == nil {
            let lint = try runProcess("/usr/bin/groff", ["-Tutf8", "-mandoc", "-ww", "-z", repositoryRoot + "/man/" + page])
            XCTAssertEqual(lint.stderr, "", "man/\(page)")
        }
    }

    /// Every command of every tool, by walking the SUBCOMMANDS sections of --help, with
    /// the options its help lists.
    func everyCommand() throws -> [(command: [String], options: Set<String>)] {
        var found: [(command: [String], options: Set<String>)] = []
        var queue = Self.tools.map { [$0] }
        while !queue.isEmpty {
            let command = queue.removeFirst()
            let help = try runProcess(bin(command[0]), Array(command.dropFirst()) + ["--help"])
            XCTAssertEqual(help.status, 0, "\(command) --help")
            var options = Set<String>(), inSubcommands = false, children: [String] = []
            for line in help.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasSuffix(":") && !line.hasPrefix(" ") { inSubcommands = line == "SUBCOMMANDS:"; continue }
                if inSubcommands, let match = line.firstMatch(of: #/^  ([a-z][a-z0-9-]*)( |$)/#), match.1 != "See" {
                    children.append(String(match.1))
                } else if let match = line.firstMatch(of: #/^  (?:-[a-zA-Z], )?(--[a-z][a-z0-9-]*)/#) {
                    options.insert(String(match.1))
                }
            }
            if children.isEmpty || command.count == 1 { found.append((command, options)) }
            queue += children.filter { $0 != "help" }.map { command + [$0] }
        }
        return found
    }

    /// A shared option appears only where the command uses it: --socket only on commands
    /// that talk to a node (csp-ca serve: its own; csp-kvr's commands that can read a
    /// running node instead of its files), and --home with them, for the identity that
    /// signs the reads; -v only where it says more.
    func testSharedOptionsAppearOnlyWhereUsed() throws {
        let commands = try everyCommand()
        XCTAssertGreaterThan(commands.count, 40, "walked \(commands.map { $0.command })")
        func offering(_ option: String, _ tool: String) -> [String] {
            commands.filter { $0.command[0] == tool && $0.options.contains(option) }.map { $0.command.dropFirst().joined(separator: " ") }.sorted()
        }
        for tool in Self.tools { XCTAssertEqual(offering("--help", tool).count, commands.filter { $0.command[0] == tool }.count, tool) }
        XCTAssertEqual(offering("--socket", "csp-ca"), ["serve"])
        XCTAssertEqual(offering("--socket", "csp-kvr"), ["export", "follow", "verify"])
        XCTAssertEqual(offering("--home", "csp-kvr"), ["export", "follow", "verify"])
        XCTAssertEqual(offering("--verbose", "csp-kvr"), [])
        XCTAssertEqual(offering("--socket", "csp-audit"), ["anchor", "compare", "ledger", "proof", "trust check", "trust save", "verify"])
        XCTAssertEqual(offering("--socket", "csp-node"), ["start", "status"])
        // csp-tx: everything but the offline commands talks to the node.
        XCTAssertEqual(Set(commands.filter { $0.command[0] == "csp-tx" && $0.command.count > 1 }.map { $0.command.dropFirst().joined(separator: " ") })
                           .subtracting(offering("--socket", "csp-tx")).sorted(), ["decode", "encode", "endorse"])
    }

    /// -v does something on the commands that read only files, as it does elsewhere.
    func testVerboseSaysMoreOnFileCommands() throws {
        let dir = try temporaryDirectory(self)
        try "x\n".write(toFile: dir + "/f", atomically: true, encoding: .utf8)
        let hash = try runProcess(bin("csp-audit"), ["hash", "-v", "--home", dir, dir + "/f"])
        XCTAssertEqual(hash.status, 0, hash.stderr)
        XCTAssertTrue(hash.stderr.contains("home '\(dir)' (from --home)") && hash.stderr.hasSuffix("1 file read\n"), hash.stderr)
        try hash.stdout.write(toFile: dir + "/sums", atomically: true, encoding: .utf8)
        let check = try runProcess(bin("csp-audit"), ["check", "-v", "--home", dir, dir + "/sums"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stderr.hasSuffix("1 listed file checked: 1 OK\n"), check.stderr)
        let socket = try runProcess(bin("csp-audit"), ["hash", "--socket", dir + "/s", dir + "/f"])
        XCTAssertEqual(socket.status, 64, "hash takes no --socket")
    }

    /// The completion of 'csp-tx call' asks the node for the workflow transitions: the
    /// node and channel of the --home (and --socket, --channel) typed after the subcommand
    /// on the same line, as the line will run; without a node it offers nothing, silently.
    /// Driven through the bash scripts the commands generate.
    func testCallCompletionAsksTheNodeTheLineNamesAndFailsQuietly() throws {
        let fixture = try NodeFixture.consortium(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        try fixture.tx("root", ["contract", "propose", repositoryRoot + "/docs/contracts/demand.json"])
        try fixture.tx("root", ["contract", "approve", "demand", "1"])
        let carol = fixture.dir + "/carol"
        try "socket = \(fixture.socket)\nchannel = \(fixture.channel)\n".write(toFile: carol + "/config", atomically: true, encoding: .utf8)
        let home = try temporaryDirectory(self)  // the default home: no identity, no node

        func complete(_ words: [String]) throws -> [String] {
            let script = """
                unset CSP_HOME CSP_SOCKET CSP_CHANNEL CSP_FORMAT CSP_NODE
                source <("$1" --generate-completion-script bash) || exit 3
                COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                "_$1" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try runProcess("/bin/bash", ["-c", script, "bash"] + words, environment: [
                "PATH": productsDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "HOME": home,
            ], timeLimit: 30)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n").map(String.init)
        }
        let calls = ["demand.accept", "demand.submit"]
        // (Not `csp-tx --home X call`: the generated scripts know no options before the subcommand.)
        for words in [["csp-tx", "call", "--home", carol, ""],
                      ["csp-tx", "call", "--home=\(carol)", "demand.s"],
                      ["csp-tx", "call", "--socket", fixture.socket, "--channel", fixture.channel, "--home", carol, ""]] {
            let offered = try complete(words)
            for call in calls where words.last!.isEmpty || call.hasPrefix(words.last!) {
                XCTAssertTrue(offered.contains(call), "\(words): \(offered)")
            }
            XCTAssertTrue(offered.allSatisfy { $0.hasPrefix(words.last!) && $0.hasPrefix("demand.") }, "\(words): \(offered)")
        }
        // Other custom completions reach the command too (options before the subcommand
        // are moved after it, but not argument-parser's own completion request).
        XCTAssertEqual(try complete(["csp-node", "genesis", "--policy", ""]), ["consortium", "private", "closed"])
        // The default home has no node: nothing, and no error on the terminal.
        XCTAssertEqual(try complete(["csp-tx", "call", ""]).filter { !$0.isEmpty }, [])
        XCTAssertEqual(try complete(["csp-tx", "call", "--home", carol, "--socket", home + "/none.sock", ""]).filter { !$0.isEmpty }, [])
        let noNode = try runProcess(bin("csp-tx"), ["contract", "list", "--calls", "--home", home, "--socket", home + "/none.sock"])
        XCTAssertEqual(noNode.status, 2)
        XCTAssertEqual(noNode.stdout, "")
    }

    /// A value outside the range an option's help states is a usage error (64) in every
    /// tool, said before anything is read or asked.
    func testStatedOptionRangesAreUsageErrors() throws {
        let dir = try temporaryDirectory(self)
        XCTAssertEqual(try runProcess(bin("csp-ca"), ["init", "--home", dir + "/ca", "--org", "Acme"]).status, 0)
        let cases: [(String, [String], String)] = [
            ("csp-tx", ["history", "k", "--limit", "0", "--home", dir], "error: --limit must be 1 to 1000 (see 'csp-tx history --help')\n"),
            ("csp-ca", ["register", "bob", "--role", "customer", "--secret", "short", "--home", dir + "/ca"],
             "error: --secret must be at least 8 characters (see 'csp-ca register --help')\n"),
            ("csp-ca", ["register", "bob", "--role", "customer", "--max-enrollments", "0", "--home", dir + "/ca"],
             "error: --max-enrollments must be at least 1, got 0 (see 'csp-ca register --help')\n"),
            ("csp-node", ["genesis", "--channel", "ok", "--orderer", "x", "--admin", "Acme/root", "--org", "Acme=\(dir)/ca", "--max-transactions", "0"],
             "error: --max-transactions must be 1 to 10000, got 0 (see 'csp-node genesis --help')\n"),
            ("csp-node", ["genesis", "--channel", "ok", "--orderer", "x", "--admin", "Acme/root", "--org", "Acme=\(dir)/ca", "--block-timeout", "0"],
             "error: --block-timeout must be 1 to 3600000, got 0 (see 'csp-node genesis --help')\n"),
        ]
        for (tool, arguments, message) in cases {
            let result = try runProcess(bin(tool), arguments)
            XCTAssertEqual(result.status, 64, "\(tool) \(arguments)")
            XCTAssertEqual(result.stderr, message)
            XCTAssertEqual(result.stdout, "")
        }
    }

    /// "Already exists" is the answer no (1) in csp-ca as in csp-node init
    /// (NodeOperationsTests): a CA, a key file, an enrollment's key.
    func testAlreadyExistsIsOneEverywhere() throws {
        let dir = try temporaryDirectory(self)
        let ca = bin("csp-ca")
        XCTAssertEqual(try runProcess(ca, ["init", "--home", dir + "/ca", "--org", "Acme"]).status, 0)
        let secret = try runProcess(ca, ["register", "bob", "--role", "customer", "--home", dir + "/ca"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(atPath: dir + "/bob", withIntermediateDirectories: true)
        XCTAssertEqual(try runProcess(ca, ["keygen", "--out", dir + "/bob/key.pem"]).status, 0)
        let cases: [([String], String)] = [
            (["init", "--home", dir + "/ca", "--org", "Acme"], "error: a CA already exists in '\(dir)/ca'\n"),
            (["keygen", "--out", dir + "/bob/key.pem"], "error: '\(dir)/bob/key.pem' already exists; use --force to replace it\n"),
            (["enroll", "bob", "--secret", secret, "--ca", dir + "/ca", "--home", dir + "/bob"], "error: '\(dir)/bob/key.pem' already exists; use --force to replace it\n"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess(ca, arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertEqual(result.stderr, message)
        }
    }
}
