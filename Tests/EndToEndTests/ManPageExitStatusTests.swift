import CSPTestSupport
import Foundation
import XCTest

/// A man page's EXIT STATUS lists 75 (outcome unknown) for exactly the commands that can
/// exit 75: those that submit a transaction and wait for it, whose help says so.
final class ManPageExitStatusTests: XCTestCase {
    /// What finish.py looks for (SAYS_EXIT_75).
    static var saysExit75: Regex<Substring> { #/\b75 when\b|\bexit 75\b/# }

    /// docs/man/finish.py's EXIT STATUS for a page argument-parser generated from `description`.
    func exitStatus(page name: String, description: String) throws -> String {
        let dir = try temporaryDirectory(self)
        let command = name.replacingOccurrences(of: "-", with: " ")
        let source = """
            .Dd November 25, 2026
            .Dt \(name.uppercased()) 1
            .Os
            .Sh NAME
            .Nm "\(command)"
            .Nd "A command."
            .Sh SYNOPSIS
            .Nm
            .Op Fl -timeout Ar duration
            .Sh DESCRIPTION
            \(description)
            .Sh "EXIT STATUS"
            .Ex -std

            """
        try source.write(toFile: dir + "/page.1", atomically: true, encoding: .utf8)
        let script = "import sys; sys.dont_write_bytecode = True; sys.path.insert(0, sys.argv[1]); import finish; sys.stdout.write(finish.finish(open(sys.argv[2]).read(), sys.argv[3], {}))"
        let result = try runProcess("python3", ["-c", script, repositoryRoot + "/docs/man", dir + "/page.1", name], timeLimit: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        let page = result.stdout
        let start = try XCTUnwrap(page.range(of: ".Sh EXIT STATUS\n"), page)
        return page[start.upperBound...].components(separatedBy: "\n.Sh ").first ?? ""
    }

    func testExitStatusLists75ExactlyWhereTheHelpSaysIt() throws {
        let submitting = try exitStatus(page: "csp-tx-submit", description: "Exits 0 when committed, 75 when the outcome is unknown.")
        XCTAssertTrue(submitting.contains(".It 64\nUsage error"), submitting)
        XCTAssertTrue(submitting.contains(".It 75\nOutcome unknown: the transaction was sent but no answer came within --timeout"), submitting)
        let reading = try exitStatus(page: "csp-tx-query", description: "Exits 0, 1 when not found, 2 when the node is not reached.")
        XCTAssertTrue(reading.contains(".It 64\n"), reading)
        XCTAssertFalse(reading.contains(".It 75"), reading)
        // A mode of 0750 is no exit status.
        XCTAssertFalse(try exitStatus(page: "csp-node-start", description: "The home is 0750.").contains(".It 75"))
    }

    /// Every command that submits and waits (and so may exit 75) says it in --help, which
    /// is what its man page is made from.
    func testCommandsThatSubmitAndWaitSayExit75() throws {
        let commands = [("csp-tx", ["submit"]), ("csp-tx", ["call"]), ("csp-tx", ["contract", "propose"]),
                        ("csp-tx", ["contract", "approve"]), ("csp-tx", ["contract", "upgrade"]), ("csp-audit", ["anchor"])]
        for (tool, path) in commands {
            let help = try runProcess(productsDirectory + "/" + tool, path + ["--help"])
            XCTAssertEqual(help.status, 0)
            let text = help.stdout.replacing(#/\s+/#, with: " ")
            XCTAssertNotNil(text.firstMatch(of: Self.saysExit75), "\(tool) \(path.joined(separator: " ")) --help does not say it exits 75")
        }
        // A read does not.
        let query = try runProcess(productsDirectory + "/csp-tx", ["query", "--help"])
        XCTAssertNil(query.stdout.replacing(#/\s+/#, with: " ").firstMatch(of: Self.saysExit75))
    }
}
