import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCLI
import CSPCrypto
import CSPParticipant
import Foundation

extension CSPAudit {
    /// `csp-audit trust`: remember a verified head, and later prove the ledger extends it.
    struct Trust: ParsableCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Remember a verified head and later prove the ledger still extends it (rollback detection).",
            subcommands: [Save.self, Check.self])

        /// Where the trusted head is kept, and which ledger to read.
        struct Options: ParsableArguments {
            @Option(help: ArgumentHelp("A node's home or a channel's folder to read the block files of (default: through --socket).", valueName: "dir"),
                    completion: .directory)
            var ledger: String?

            @Option(help: ArgumentHelp("The trusted head's file (default: <home>/trust/<channel>.json).", valueName: "file"), completion: .file())
            var file: String?

            func path(home: String, channel: String) -> String { file ?? home + "/trust/" + channel + ".json" }
        }

        /// What is remembered: the head a full verification reached.
        struct Head: Codable, Equatable {
            var channel: String
            var height: UInt64
            var blockHash: String
            var commitHash: String
            var verifiedAt: String
        }

        static func save(_ head: Head, to path: String) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let parent = FileIO.parent(of: path)
            if !FileIO.isDirectory(parent) { try FileIO.makeDirectory(parent, mode: 0o700) }
            try FileIO.writeAtomically(path, Array(try encoder.encode(head)) + [0x0a], mode: 0o600)
        }

        static func head(of report: LedgerCheckReportView, channel: String) -> Head {
            Head(channel: channel, height: report.blocks, blockHash: report.blockHash, commitHash: report.commitHash,
                 verifiedAt: UTCTime.format(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000)))
        }

        struct Save: CSPCommand {
            static let configuration = CommandConfiguration.csp(
                abstract: "Verify the whole channel and remember its head (height, block hash, commit hash).",
                discussion: """
                    Runs every check of 'csp-audit ledger', then writes the head it reached \
                    to --file (default <home>/trust/<channel>.json, mode 0600). Exit 0 saved, \
                    1 the ledger does not verify (nothing saved), 2 could not read it, 64 usage error.
                    """)

            @OptionGroup(title: "Global Options") var global: GlobalOptions
            @OptionGroup var channel: ChannelOption
            @OptionGroup var timeout: ReadTimeoutOption
            @OptionGroup var options: Options

            func execute() throws -> ExitStatus {
                let name = try channel.resolved
                let source = try LedgerSource.open(options.ledger ?? global.resolvedSocket, channel: name, global: global, timeout: timeout)
                defer { source.close() }
                switch try LedgerVerification.run(source, channel: name) {
                case .failed(let reason):
                    Diagnostics.error("channel \(quoted(name)): \(reason); nothing saved")
                    return .no
                case .verified(let report):
                    let head = Trust.head(of: LedgerCheckReportView(report), channel: name)
                    let path = options.path(home: global.resolvedHome, channel: name)
                    try Trust.save(head, to: path)
                    global.output.emit(json: ["channel": .string(name), "height": .int(Int64(head.height)), "last_block_hash": .string(head.blockHash),
                                              "commit_hash": .string(head.commitHash), "file": .string(path)],
                                       text: "\(name): saved verified head at height \(head.height), block \(head.blockHash), commit \(head.commitHash) in \(path)")
                    return .success
                }
            }
        }

        struct Check: CSPCommand {
            static let configuration = CommandConfiguration.csp(
                abstract: "Verify the whole channel again and prove it extends the saved head.",
                discussion: """
                    Runs every check of 'csp-audit ledger' and requires the block at the \
                    saved height to have the saved block hash and commit hash: a ledger \
                    rolled back (fewer blocks) or rewritten behind the reader's back fails. \
                    With --update the new head replaces the saved one.

                    Exit status: 0 the ledger verifies and extends the saved head, 1 it does \
                    not (rolled back, rewritten, or a block fails), 2 could not read the \
                    ledger or the saved head, 64 usage error.
                    """)

            @OptionGroup(title: "Global Options") var global: GlobalOptions
            @OptionGroup var channel: ChannelOption
            @OptionGroup var timeout: ReadTimeoutOption
            @OptionGroup var options: Options

            @Flag(help: "Save the newly verified head when the check passes.")
            var update = false

            func execute() throws -> ExitStatus {
                let name = try channel.resolved
                let path = options.path(home: global.resolvedHome, channel: name)
                let saved: Head
                do { saved = try JSONDecoder().decode(Head.self, from: Data(try FileIO.read(path, limit: 1 << 20))) } catch let error as SystemError {
                    throw CommandFailure("\(error); save a head first with 'csp-audit trust save'")
                } catch {
                    throw CommandFailure("\(quoted(path)) is not a saved head: \(error)")
                }
                guard saved.channel == name else { throw CommandFailure("\(quoted(path)) is the head of channel \(quoted(saved.channel)), not \(quoted(name))") }
                let source = try LedgerSource.open(options.ledger ?? global.resolvedSocket, channel: name, global: global, timeout: timeout)
                defer { source.close() }
                var atSaved: (SHA256Digest, SHA256Digest)?
                let outcome = try LedgerVerification.run(source, channel: name) { number, hash, commit in
                    if saved.height > 0, number == saved.height - 1 { atSaved = (hash, commit) }
                }
                switch outcome {
                case .failed(let reason):
                    Diagnostics.error("channel \(quoted(name)): \(reason)")
                    return .no
                case .verified(let report):
                    guard report.blocks >= saved.height, let (hash, commit) = atSaved else {
                        Diagnostics.error("channel \(quoted(name)) was rolled back: it has \(report.blocks) blocks, fewer than the \(saved.height) verified at \(saved.verifiedAt)")
                        return .no
                    }
                    guard hash.hex == saved.blockHash, commit.hex == saved.commitHash else {
                        Diagnostics.error("channel \(quoted(name)) was rewritten: block \(saved.height - 1) is now \(hash.hex) (commit \(commit.hex)), not the \(saved.blockHash) (commit \(saved.commitHash)) verified at \(saved.verifiedAt)")
                        return .no
                    }
                    let head = Trust.head(of: LedgerCheckReportView(report), channel: name)
                    if update { try Trust.save(head, to: path) }
                    global.output.emit(json: ["channel": .string(name), "ok": true, "saved_height": .int(Int64(saved.height)), "height": .int(Int64(head.height)),
                                              "last_block_hash": .string(head.blockHash), "commit_hash": .string(head.commitHash), "updated": .bool(update)],
                                       text: "\(name): OK extends the head saved at \(saved.verifiedAt) (height \(saved.height) → \(head.height))\(update ? "; saved" : "")")
                    return .success
                }
            }
        }
    }
}
