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
            XCTAssertTrue(help.stdout.contains("Exit status: 0 yes/done"), "\(command) help lists exit codes")
            XCTAssertEqual(help.stderr, "")
            let version = try runProcess(tool, rest + ["--version"])
            XCTAssertEqual(version.status, 0, "\(command) --version")
            XCTAssertEqual(version.stdout, "0.1.0\n", "\(command) --version")
        }
    }

    func testUsageErrorsExit64WithOneLine() throws {
        let unknown = try runProcess(bin("csp-audit"), ["--no-such-option"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertEqual(unknown.stderr, "error: unknown option '--no-such-option' (see 'csp-audit --help')\n")
        XCTAssertEqual(unknown.stdout, "")
        let missing = try runProcess(bin("csp-ca"), ["keygen"])
        XCTAssertEqual(missing.status, 64)
        XCTAssertEqual(missing.stderr, "error: missing expected argument '--out <file>' (see 'csp-ca --help')\n")
        let badFormat = try runProcess(bin("csp-audit"), ["hash", "--format", "xml"])
        XCTAssertEqual(badFormat.status, 64)
        XCTAssertTrue(badFormat.stderr.hasPrefix("error: "), badFormat.stderr)
        let both = try runProcess(bin("csp-audit"), ["hash", "-q", "-v"])
        XCTAssertEqual(both.status, 64)
        XCTAssertEqual(both.stderr, "error: --quiet and --verbose cannot be used together (see 'csp-audit --help')\n")
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
            let page = command.joined(separator: ".") + ".1"
            XCTAssertTrue(pages.contains(page), "man/\(page) is missing: run 'make man'")
        }
        let audit = try String(contentsOfFile: repositoryRoot + "/man/csp-audit.1", encoding: .utf8)
        XCTAssertTrue(audit.contains("Exit status"), "man pages carry the exit codes")
    }
}
