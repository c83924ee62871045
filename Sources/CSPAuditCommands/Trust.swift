import ArgumentParser
import CSPAudit
import CSPBasics
import CSPCLI
import CSPCertificates
import CSPCrypto
import CSPFormat
import CSPLedger
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
                abstract: "Prove the ledger still extends the saved head: check only the blocks added since.",
                discussion: """
                    Proves that the saved head is a prefix of the current ledger: the block \
                    at the saved height still has the saved block hash and commit hash (each \
                    block hash covers the previous one, so blocks 0 to that height are \
                    byte for byte the ones verified then, and their state is the one whose \
                    commit hash was saved). Then checks only the blocks after it: record \
                    checksums, numbering, the hash chain from the saved head, Merkle roots, \
                    timestamps that never go back, and the orderer's signature with the \
                    orderer certificate of the saved head. It does not re-execute those \
                    blocks or re-check their transactions' admission: --full (or \
                    'csp-audit ledger') does, from block 0. A ledger rolled back (fewer \
                    blocks) or rewritten behind the reader's back fails. With --update the \
                    new head replaces the saved one.

                    Exit status: 0 the ledger extends the saved head, 1 it does not (rolled \
                    back, rewritten, or a block after it fails), 2 could not read the ledger \
                    or the saved head, 64 usage error.
                    """)

            @OptionGroup(title: "Global Options") var global: GlobalOptions
            @OptionGroup var channel: ChannelOption
            @OptionGroup var timeout: ReadTimeoutOption
            @OptionGroup var options: Options

            @Flag(help: "Save the newly checked head when the check passes.")
            var update = false

            @Flag(help: "Re-verify the whole channel from block 0 (every check of 'csp-audit ledger'), not only the blocks after the saved head.")
            var full = false

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
                guard saved.height > 0 else { throw CommandFailure("\(quoted(path)) saves an empty head") }
                let source = try LedgerSource.open(options.ledger ?? global.resolvedSocket, channel: name, global: global, timeout: timeout)
                defer { source.close() }
                let outcome = full ? try fullCheck(source, saved: saved, name: name) : try extensionCheck(source, saved: saved, name: name)
                switch outcome {
                case .failure(let reason):
                    Diagnostics.error("channel \(quoted(name))\(reason)")
                    return .no
                case .extends(let head, let added):
                    if update { try Trust.save(head, to: path) }
                    global.output.emit(json: ["channel": .string(name), "ok": true, "saved_height": .int(Int64(saved.height)), "height": .int(Int64(head.height)),
                                              "last_block_hash": .string(head.blockHash), "commit_hash": .string(head.commitHash), "updated": .bool(update),
                                              "checked_blocks": .int(Int64(added)), "full": .bool(full)],
                                       text: "\(name): OK extends the head saved at \(saved.verifiedAt) (height \(saved.height) → \(head.height), \(full ? "every block re-verified" : "\(added) block\(added == 1 ? "" : "s") after it checked"))\(update ? "; saved" : "")")
                    return .success
                }
            }

            enum Outcome {
                case extends(Head, added: UInt64)
                /// Said right after the channel's name: " was rolled back: …", ": block 8: …".
                case failure(String)
            }

            func rolledBack(_ blocks: UInt64, _ saved: Head) -> Outcome {
                .failure(" was rolled back: it has \(blocks) blocks, fewer than the \(saved.height) verified at \(saved.verifiedAt)")
            }

            func rewritten(_ hash: SHA256Digest, _ commit: SHA256Digest, _ saved: Head) -> Outcome {
                .failure(" was rewritten: block \(saved.height - 1) is now \(hash.hex) (commit \(commit.hex)), not the \(saved.blockHash) (commit \(saved.commitHash)) verified at \(saved.verifiedAt)")
            }

            /// Every check of `csp-audit ledger`, and the block at the saved height.
            func fullCheck(_ source: LedgerSource, saved: Head, name: String) throws -> Outcome {
                var atSaved: (SHA256Digest, SHA256Digest)?
                let outcome = try LedgerVerification.run(source, channel: name) { number, hash, commit in
                    if number == saved.height - 1 { atSaved = (hash, commit) }
                }
                switch outcome {
                case .failed(let reason): return .failure(": " + reason)
                case .verified(let report):
                    guard report.blocks >= saved.height, let (hash, commit) = atSaved else { return rolledBack(report.blocks, saved) }
                    guard hash.hex == saved.blockHash, commit.hex == saved.commitHash else { return rewritten(hash, commit, saved) }
                    return .extends(Trust.head(of: LedgerCheckReportView(report), channel: name), added: report.blocks)
                }
            }

            private struct Stop: Error { let outcome: Outcome }

            /// The saved head's block, then only the blocks after it.
            func extensionCheck(_ source: LedgerSource, saved: Head, name: String) throws -> Outcome {
                var last: BlockHeader?
                var orderer: P256PublicKey?
                var added: UInt64 = 0
                func fail(_ number: UInt64, _ why: String) -> Stop { Stop(outcome: .failure(": block \(number): \(why)")) }
                do {
                    try source.forEach(from: saved.height - 1) { record in
                        let header = record.block.header
                        guard let previous = last else {
                            // The saved head itself: its hash covers every block before it.
                            guard header.number == saved.height - 1, header.hash.hex == saved.blockHash, header.commitHash.hex == saved.commitHash else {
                                throw Stop(outcome: rewritten(header.hash, header.commitHash, saved))
                            }
                            do { orderer = try Certificate(der: header.orderer).publicKey } catch { throw fail(header.number, "its orderer certificate: \(error)") }
                            last = header
                            return
                        }
                        guard header.number == previous.number + 1 else { throw fail(header.number, "it comes where block \(previous.number + 1) belongs") }
                        guard header.channel == name else { throw fail(header.number, "it belongs to channel \(quoted(header.channel)), not \(quoted(name))") }
                        guard header.previousHash == previous.hash else {
                            throw fail(header.number, "its previous hash \(header.previousHash.hex) is not the hash of the block before it")
                        }
                        guard header.timestamp >= previous.timestamp else {
                            throw fail(header.number, "its timestamp \(header.timestamp) is before the previous block's (\(previous.timestamp))")
                        }
                        guard header.orderer == previous.orderer else { throw fail(header.number, "it is signed by another orderer certificate than the saved head's") }
                        guard (try? orderer?.isValidLowSSignature(record.block.signature, digest: header.hash)) == true else {
                            throw fail(header.number, "the orderer's signature does not verify")
                        }
                        last = header
                        added += 1
                    }
                } catch let stop as Stop {
                    return stop.outcome
                } catch let error as LedgerError where error.kind == .corrupt {
                    return .failure(": " + error.description)
                }
                guard let head = last else {
                    var blocks: UInt64 = 0
                    try? source.forEach { _ in blocks += 1 }
                    return rolledBack(blocks, saved)
                }
                return .extends(Head(channel: name, height: head.number + 1, blockHash: head.hash.hex, commitHash: head.commitHash.hex,
                                     verifiedAt: UTCTime.format(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000))), added: added)
            }
        }
    }
}
