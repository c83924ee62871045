import CSPTestSupport
import Foundation
import XCTest

/// Runs every EXAMPLES command of the man pages (docs/man/examples.txt, which `make man`
/// puts in the pages) in file order, in one bash session in a ShellSandbox, as a user
/// would type them one after the other, so a page cannot show a command that fails.
///
/// Comment markers before a command (the file's header says what each means) give what
/// the page does not show: `# setup:`, `# fails after: SHELL => exit N: TEXT`, `# then:`,
/// `# follows:` for a command that runs until interrupted. Every command must exit 0;
/// every "exit N" an explanation promises must be shown by a `fails after` marker.
final class ManExamplesTests: XCTestCase {
    struct Example: Equatable {
        var page: String
        var line: Int
        var command: String
        var explanation: [String] = []
        var setup: [String] = []
        var failsAfter: FailsAfter?
        var then: [String] = []
        var follows: String?
    }

    struct FailsAfter: Equatable {
        var shell: String
        var status: Int32
        var text: String
    }

    struct MarkerError: Error, CustomStringConvertible {
        var description: String
    }

    /// The examples of examples.txt, read as docs/man/finish.py reads them (`## page`,
    /// command lines, indented explanations, `#` comments), with the markers before each.
    static func examples(in text: String) throws -> [Example] {
        var examples: [Example] = []
        var page: String?
        var pending = Example(page: "", line: 0, command: "")
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("## ") {
                page = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("#") {
                let comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
                func value(_ name: String) -> String? {
                    comment.hasPrefix(name + ":") ? comment.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) : nil
                }
                if let shell = value("setup") {
                    pending.setup.append(shell)
                } else if let shell = value("then") {
                    pending.then.append(shell)
                } else if let shell = value("follows") {
                    pending.follows = shell
                } else if let marker = value("fails after") {
                    // SHELL => exit N: TEXT
                    guard let arrow = marker.range(of: " => exit ", options: .backwards),
                          let colon = marker[arrow.upperBound...].firstIndex(of: ":"),
                          let status = Int32(marker[arrow.upperBound..<colon]) else {
                        throw MarkerError(description: "examples.txt:\(index + 1): expected '# fails after: SHELL => exit N: TEXT'")
                    }
                    pending.failsAfter = FailsAfter(shell: String(marker[..<arrow.lowerBound]), status: status,
                                                    text: marker[marker.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
            } else if let page, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                if line.hasPrefix("  ") {
                    if !examples.isEmpty { examples[examples.count - 1].explanation.append(line.trimmingCharacters(in: .whitespaces)) }
                } else {
                    pending.page = page
                    pending.line = index + 1
                    pending.command = line
                    examples.append(pending)
                    pending = Example(page: "", line: 0, command: "")
                }
            }
        }
        return examples
    }

    func testReaderFindsPagesCommandsExplanationsAndMarkers() throws {
        let text = """
            # header comment, not a marker
            ## csp-audit-check
            # setup: echo a > f
            # fails after: echo b >> f => exit 1: f: FAILED
            # then: rm f
            csp-audit check SUMS
              Verify them;
              exit 1 names each file.
            ## csp-tx-watch
            # follows: sleep 1
            csp-tx watch
            """
        XCTAssertEqual(try Self.examples(in: text), [
            Example(page: "csp-audit-check", line: 6, command: "csp-audit check SUMS",
                    explanation: ["Verify them;", "exit 1 names each file."], setup: ["echo a > f"],
                    failsAfter: FailsAfter(shell: "echo b >> f", status: 1, text: "f: FAILED"), then: ["rm f"]),
            Example(page: "csp-tx-watch", line: 11, command: "csp-tx watch", follows: "sleep 1"),
        ])
        XCTAssertThrowsError(try Self.examples(in: "## p\n# fails after: echo b\ncmd\n"))
    }

    /// The bash session: each step's output and status land in `.man/<example>.<step>`
    /// files the test reads afterwards; `.man/stage` says which step ran last (on a hang).
    static func session(_ examples: [Example], sandbox: ShellSandbox) -> String {
        // -m: a command started with & gets its own process group, and SIGINT is not
        // ignored in it, so the test can press Ctrl-C on a command that follows.
        var script = "set -m -o pipefail\nmkdir -p .man\n"
        func step(_ index: Int, _ name: String, _ body: String, mustSucceed: Bool) {
            let file = ".man/\(index).\(name)"
            script += "echo '\(index) \(name)' > .man/stage\n"
            script += "{ \(sandbox.rewrite(body))\n} > \(file) 2>&1; echo $? > \(file).status\n"
            if mustSucceed { script += "[ \"$(cat \(file).status)\" = 0 ] || exit 3\n" }
        }
        for (index, example) in examples.enumerated() {
            for (number, shell) in example.setup.enumerated() { step(index, "setup\(number)", shell, mustSucceed: true) }
            if let follows = example.follows {
                let file = ".man/\(index).run"
                script += "echo '\(index) run' > .man/stage\n"
                script += "{ \(sandbox.rewrite(example.command))\n} > \(file) 2>&1 &\npid=$!\nout=\(file)\n"
                step(index, "follows", follows, mustSucceed: true)
                // Still following? Then Ctrl-C; a command that ignores it is killed after 5 s.
                script += """
                    kill -0 $pid 2>/dev/null && echo running > \(file).running
                    kill -INT -- -$pid 2>/dev/null
                    for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
                    kill -KILL -- -$pid 2>/dev/null
                    wait $pid; echo $? > \(file).status

                    """
            } else {
                step(index, "run", example.command, mustSucceed: false)
            }
            if let failsAfter = example.failsAfter {
                step(index, "break", failsAfter.shell, mustSucceed: true)
                step(index, "failed", example.command, mustSucceed: false)
            }
            for (number, shell) in example.then.enumerated() { step(index, "then\(number)", shell, mustSucceed: true) }
        }
        return script + "echo done > .man/stage\n"
    }

    func testEveryManPageExampleRuns() throws {
        let text = try String(contentsOfFile: repositoryRoot + "/docs/man/examples.txt", encoding: .utf8)
        let examples = try Self.examples(in: text)
        XCTAssertGreaterThan(examples.count, 20, "examples.txt read")
        for example in examples {
            let promised = example.explanation.joined(separator: " ")
                .matches(of: #/exit (\d+)/#).compactMap { Int32($0.1) }.filter { $0 != 0 }
            for status in promised where example.failsAfter?.status != status {
                XCTFail("examples.txt:\(example.line): the explanation promises exit \(status); show it with '# fails after: SHELL => exit \(status): TEXT'")
            }
        }
        let sandbox = try ShellSandbox(self)
        let session = try sandbox.run(Self.session(examples, sandbox: sandbox), limit: 300,
                                      environment: ["REPOSITORY": repositoryRoot])
        sandbox.stopProcesses()  // the node the examples started, before its sandbox goes
        func read(_ name: String) -> String? { try? String(contentsOfFile: sandbox.root + "/.man/" + name, encoding: .utf8) }
        func status(_ name: String) -> Int32? { read(name + ".status").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }

        if session.status != 0 {
            // A setup step failed or something hung: name it and stop there.
            let stage = read("stage")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            let parts = stage.split(separator: " ")
            let example = parts.first.flatMap { Int($0) }.map { examples[$0] }
            XCTFail("""
                the session stopped (exit \(session.status)) at step '\(parts.last ?? "?")' of \
                \(example.map { "examples.txt:\($0.line) (\($0.page)): \($0.command)" } ?? stage)
                \(read(stage.replacingOccurrences(of: " ", with: ".")) ?? "")\(session.output)
                """)
        }
        var ran = 0
        for (index, example) in examples.enumerated() {
            let place = "examples.txt:\(example.line) (\(example.page)): \(example.command)"
            guard let run = status("\(index).run") else { break }  // the failure above says why
            let output = read("\(index).run") ?? ""
            if example.follows != nil {
                XCTAssertNotNil(read("\(index).run.running"), "\(place)\nexited before it was interrupted (exit \(run)): it should follow\n\(output)")
                XCTAssertTrue(run == 0 || run == 130, "\(place)\nCtrl-C should end it (exit 0 or 130), got exit \(run)\n\(output)")
            } else {
                XCTAssertEqual(run, 0, "\(place)\nthe example failed; fix it (and tell whoever runs make man)\n\(output)")
            }
            if let failsAfter = example.failsAfter {
                let failed = read("\(index).failed") ?? ""
                XCTAssertEqual(status("\(index).failed"), failsAfter.status, "\(place)\nafter '\(failsAfter.shell)'\n\(failed)")
                XCTAssertTrue(failed.contains(failsAfter.text), "\(place)\nafter '\(failsAfter.shell)' it should print '\(failsAfter.text)'\n\(failed)")
            }
            ran += 1
        }
        XCTAssertEqual(ran, examples.count, "every example ran")
    }
}
