import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCLI
import CSPCrypto

extension CSPAudit {
    /// `csp-audit hash`: SHA-256 fingerprints, byte-compatible with `sha256sum`.
    struct Hash: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print the SHA-256 fingerprint of files (sha256sum format).",
            discussion: """
                With no PATH, or when PATH is -, reads standard input. A folder stands for \
                every file beneath it, depth first, names in byte order; links to files \
                are followed, links to folders and special files left out. Files are \
                hashed on every core; the output keeps that order. The text output is \
                byte for byte sha256sum's (names with a backslash, newline or carriage \
                return escaped as it does), so 'sha256sum -c' and 'csp-audit check' accept \
                it; --format json prints one {"file","sha256"} object per line.

                Exit status: 0 every file hashed, 2 some file or folder could not be read \
                (the others are still printed), 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Argument(help: ArgumentHelp("Files or folders to fingerprint; - for standard input.", valueName: "path"), completion: .file())
        var paths: [String] = []

        func execute() throws -> ExitStatus {
            let output = global.output
            var status = ExitStatus.success
            var files: [String] = []
            for item in FileHashing.expand(paths.isEmpty ? ["-"] : paths) {
                switch item {
                case .file(let path): files.append(path)
                case .unlistable(_, let error):
                    Diagnostics.error(String(describing: error))
                    status = .failure
                }
            }
            FileHashing.hash(files) { index, result in
                switch result {
                case .success(let digest):
                    let file = files[index]
                    output.emit(json: ["file": .string(file), "sha256": .string(digest.hex)],
                                text: SHA256SumLine(digest: digest, name: file).formatted)
                case .failure(let error):
                    // One unreadable file does not hide the others' fingerprints.
                    Diagnostics.error(String(describing: error))
                    status = .failure
                }
            }
            if global.verbose { Diagnostics.note("\(files.count) \(files.count == 1 ? "file" : "files") read") }
            return status
        }
    }
}
