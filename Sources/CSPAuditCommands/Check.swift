import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCLI
import CSPCrypto

extension CSPAudit {
    /// `csp-audit check`: verifies fingerprints listed in sha256sum format, as
    /// `sha256sum -c` does.
    struct Check: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Verify files against a list of SHA-256 fingerprints (sha256sum -c).",
            discussion: """
                LIST holds lines as 'csp-audit hash', 'sha256sum' and 'sha256sum --tag' \
                print them (CRLF endings, blank lines and '#' comments accepted). Prints \
                'NAME: OK', 'NAME: FAILED' or 'NAME: FAILED open or read' per line, a name \
                holding a newline escaped as sha256sum does; with -q only the failures. \
                Lines in no known format are skipped with a warning.

                Exit status: 0 every listed file matches, 1 some file does not match or \
                cannot be read, 2 the list cannot be read or holds no fingerprint line, \
                64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Argument(help: "The list of fingerprints; - for standard input.", completion: .file())
        var list: String = "-"

        func execute() throws -> ExitStatus {
            let failuresOnly = Output(format: global.format ?? .text)
            let bytes = try FileIO.read(list)
            var entries: [SHA256SumLine] = []
            var malformed: [Int] = []
            // Lines end at LF only: a CR before it is part of a CRLF ending, handled per line.
            for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                switch SHA256SumLine.parse(Substring(String(decoding: line, as: UTF8.self))) {
                case .entry(let entry): entries.append(entry)
                case .skip: break
                case .malformed: malformed.append(index + 1)
                }
            }
            guard !entries.isEmpty else {
                if let first = malformed.first { throw CommandFailure("\(quoted(list)) line \(first): not a SHA-256 fingerprint line") }
                throw CommandFailure("\(quoted(list)): no fingerprint lines found")
            }
            var mismatches = 0, unreadable = 0
            FileHashing.hash(entries.map(\.name)) { index, result in
                let entry = entries[index]
                let shown = SHA256SumLine.checkedName(entry.name)
                switch result {
                case .failure(let error):
                    Diagnostics.error(String(describing: error))
                    unreadable += 1
                    failuresOnly.emit(json: ["file": .string(entry.name), "expected": .string(entry.digest.hex), "ok": false,
                                             "error": .string(String(describing: error))],
                                      text: "\(shown): FAILED open or read")
                case .success(let actual):
                    let ok = actual == entry.digest
                    if !ok { mismatches += 1 }
                    if ok && global.quiet { return }
                    failuresOnly.emit(json: ["file": .string(entry.name), "expected": .string(entry.digest.hex),
                                             "actual": .string(actual.hex), "ok": .bool(ok)],
                                      text: "\(shown): \(ok ? "OK" : "FAILED")")
                }
            }
            if !malformed.isEmpty {
                Diagnostics.warning("\(quoted(list)): \(malformed.count) \(malformed.count == 1 ? "line is" : "lines are") improperly formatted (line \(malformed.map(String.init).joined(separator: ", ")))")
            }
            if unreadable > 0 {
                Diagnostics.warning("\(unreadable) listed \(unreadable == 1 ? "file" : "files") could not be read")
            }
            if mismatches > 0 {
                Diagnostics.warning("\(mismatches) of \(entries.count) computed fingerprints did not match")
            }
            if global.verbose { Diagnostics.note("\(entries.count) listed \(entries.count == 1 ? "file" : "files") checked: \(entries.count - mismatches - unreadable) OK") }
            return mismatches + unreadable > 0 ? .no : .success
        }
    }
}
