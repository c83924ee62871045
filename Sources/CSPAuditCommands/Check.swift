import ArgumentParser
import CSPBasics
import CSPCLI
import CSPCrypto

extension CSPAudit {
    /// `csp-audit check`: verifies fingerprints listed in sha256sum format.
    struct Check: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Verify files against a list of SHA-256 fingerprints.",
            discussion: """
                LIST holds lines in the format 'csp-audit hash' and 'sha256sum' print. \
                Prints 'NAME: OK' or 'NAME: FAILED' for each line. Exits 1 when any file \
                does not match, 2 when a file cannot be read or a line is malformed.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions

        @Argument(help: "The list of fingerprints; - for standard input.", completion: .file())
        var list: String = "-"

        func execute() throws -> ExitStatus {
            let output = global.output
            let text = try FileIO.readText(list)
            var mismatches = 0
            var unreadable = 0
            var checked = 0
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.isEmpty { continue }
                guard let entry = SHA256SumLine(parsing: line) else {
                    throw CommandFailure("\(quoted(list)) line \(index + 1): not a SHA-256 fingerprint line")
                }
                checked += 1
                let actual: SHA256Digest
                do {
                    actual = try SHA256.hash(file: entry.name)
                } catch {
                    Diagnostics.error(String(describing: error))
                    unreadable += 1
                    output.emit(json: ["file": .string(entry.name), "expected": .string(entry.digest.hex), "ok": false, "error": .string(String(describing: error))],
                                text: "\(entry.name): FAILED open or read")
                    continue
                }
                let ok = actual == entry.digest
                if !ok { mismatches += 1 }
                output.emit(json: ["file": .string(entry.name), "expected": .string(entry.digest.hex), "actual": .string(actual.hex), "ok": .bool(ok)],
                            text: "\(entry.name): \(ok ? "OK" : "FAILED")")
            }
            if checked == 0 { throw CommandFailure("\(quoted(list)): no fingerprint lines found") }
            if unreadable > 0 { return .failure }
            if mismatches > 0 {
                if !global.quiet { Diagnostics.warning("\(mismatches) of \(checked) computed fingerprints did not match") }
                return .no
            }
            return .success
        }
    }
}
