import CSPTestSupport
import Foundation
import XCTest

/// Runs the ```sh examples of README.md and docs/*.md with the built binaries first on
/// PATH, so the documentation cannot drift from the tools.
///
/// The blocks of one document run in order, each in its own `bash` (`set -e -o pipefail`),
/// all in one ShellSandbox: a fresh folder that is also `HOME`, `/srv/` and `/var/log/`,
/// so the operator paths of the examples work without touching the machine. A comment on
/// the line(s) just before a fence changes that:
///
///     <!-- not run: why -->               the block is not run (say why: a running node, …)
///     <!-- setup: echo x > contract.pdf --> shell run first, in the same bash, for files
///                                           the example assumes exist
///
/// A process an example starts in the background (`csp-node start &`) is stopped when its
/// document's examples are done.
final class DocExamplesTests: XCTestCase {
    struct Example: Equatable {
        var line: Int
        var code: String
        var setup: String?
        var notRun: String?
    }

    /// The ```sh blocks of a Markdown text, with the markers just before each; indented
    /// fences (inside list items) lose their indentation.
    static func examples(in text: String) -> [Example] {
        let lines = text.components(separatedBy: "\n")
        var examples: [Example] = []
        var index = 0
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            guard trimmed == "```sh" else {
                // Skip other fenced blocks whole, so a ```sh inside one is not taken for a fence.
                if trimmed.hasPrefix("```") {
                    index += 1
                    while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("```") { index += 1 }
                }
                index += 1
                continue
            }
            let indent = lines[index].prefix { $0 == " " }.count
            var example = Example(line: index + 1, code: "")
            var before = index - 1
            while before >= 0 {
                let marker = lines[before].trimmingCharacters(in: .whitespaces)
                guard marker.hasPrefix("<!--"), marker.hasSuffix("-->") else { break }
                let body = marker.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
                if body.hasPrefix("not run:") {
                    example.notRun = body.dropFirst("not run:".count).trimmingCharacters(in: .whitespaces)
                } else if body.hasPrefix("setup:") {
                    example.setup = body.dropFirst("setup:".count).trimmingCharacters(in: .whitespaces)
                }
                before -= 1
            }
            var body: [String] = []
            index += 1
            while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) != "```" {
                body.append(String(lines[index].dropFirst(min(indent, lines[index].prefix { $0 == " " }.count))))
                index += 1
            }
            example.code = body.joined(separator: "\n") + "\n"
            examples.append(example)
            index += 1
        }
        return examples
    }

    func testExtractorFindsFencesMarkersAndIndentation() {
        let text = """
            Intro
            ```sh
            echo one
            ```
            - item
              <!-- not run: needs a node -->
              ```sh
              csp-node start &
              ```
            <!-- setup: touch a.pdf -->
            ```sh
            ls a.pdf
            ```
            ```text
            ```sh
            ```
            """
        XCTAssertEqual(Self.examples(in: text), [
            Example(line: 2, code: "echo one\n"),
            Example(line: 7, code: "csp-node start &\n", notRun: "needs a node"),
            Example(line: 11, code: "ls a.pdf\n", setup: "touch a.pdf"),
        ])
    }

    /// A block that hangs is what the limit is for: the block fails at the limit, saying
    /// so, and what it started is stopped with it.
    func testAHangingBlockFailsAtTheLimitAndLeavesNothingRunning() throws {
        let sandbox = try ShellSandbox(self)
        let started = Date()
        let result = try sandbox.run("sleep 600 & echo $! > child; sleep 601", limit: 1)
        XCTAssertEqual(result.status, -1)
        XCTAssertTrue(result.output.hasPrefix("timed out after 1 s: a command did not exit\n"), result.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        let child = try XCTUnwrap(Int32(try String(contentsOfFile: sandbox.root + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)
        XCTAssertTrue(stat == nil || stat!.contains(") Z "), "the background sleep was stopped: \(stat ?? "")")
    }

    func testEveryShellExampleInTheDocsRuns() throws {
        let documents = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/docs"))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        var ran = 0
        for document in documents {
            let text = try String(contentsOfFile: repositoryRoot + "/" + document, encoding: .utf8)
            let sandbox = try ShellSandbox(self)
            // A daemon an example started in the background (csp-node start &) ends with its document.
            defer { sandbox.stopProcesses() }
            for example in Self.examples(in: text) {
                if let reason = example.notRun {
                    XCTAssertFalse(reason.isEmpty, "\(document):\(example.line): say why the block is not run")
                    continue
                }
                let result = try run(example, in: sandbox)
                XCTAssertEqual(result.status, 0, """
                    \(document):\(example.line): the example failed (exit \(result.status)); fix it, or mark it \
                    <!-- not run: reason --> if it cannot run as written
                    \(example.code)\(result.output)
                    """)
                ran += 1
            }
        }
        XCTAssertGreaterThan(ran, 0, "some examples ran")
    }

    /// One block in bash (`set -e -o pipefail`, its setup first). Each takes a few
    /// seconds; the limit is only there to catch a hang (a node that never answers), far
    /// beyond what a loaded two-core machine needs, so a slow run does not fail.
    private func run(_ example: Example, in sandbox: ShellSandbox) throws -> (status: Int32, output: String) {
        let script = "set -e -o pipefail\n" + (example.setup.map { $0 + "\n" } ?? "") + example.code
        return try sandbox.run(sandbox.rewrite(script), limit: 120)
    }
}
