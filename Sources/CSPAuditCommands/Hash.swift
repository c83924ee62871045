import ArgumentParser
import CSPBasics
import CSPCLI
import CSPCrypto

extension CSPAudit {
    /// `csp-audit hash`: SHA-256 fingerprints, byte-compatible with `sha256sum`.
    struct Hash: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print the SHA-256 fingerprint of files (sha256sum format).",
            discussion: """
                With no FILE, or when FILE is -, reads standard input. The text output \
                can be checked with 'sha256sum -c' or 'csp-audit check'.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions

        @Argument(help: "Files to fingerprint; - for standard input.", completion: .file())
        var files: [String] = []

        func execute() throws -> ExitStatus {
            let output = global.output
            var status = ExitStatus.success
            for file in files.isEmpty ? ["-"] : files {
                do {
                    let digest = try SHA256.hash(file: file)
                    output.emit(json: ["file": .string(file), "sha256": .string(digest.hex)],
                                text: SHA256SumLine(digest: digest, name: file).formatted)
                } catch {
                    // One unreadable file does not hide the others' fingerprints.
                    Diagnostics.error(String(describing: error))
                    status = .failure
                }
            }
            return status
        }
    }
}
