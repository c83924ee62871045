import ArgumentParser
import CSPBasics
import CSPCLI
import CSPCrypto
import CSPNodeRuntime
import CSPParticipant

extension CSPAudit {
    /// `csp-audit ledger`: re-verify a whole channel without trusting the node.
    struct Ledger: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Verify a whole channel: checksums, hash chain, Merkle roots, signatures, CRLs, re-execution.",
            discussion: """
                Reads every block, from block files (--ledger: a node's home or a channel's \
                folder, also beside a running node) or through the node (--socket), and \
                checks what 'csp-node check' checks, trusting nothing it did not compute: \
                record checksums, the hash chain and Merkle roots; block 0's configuration; \
                the orderer's signature on every header; every transaction's signature \
                (on every core) and its admission under the CAs, CRLs and policy in force \
                at its block, at the block's signed time; duplicate ids; and re-execution, \
                whose validation codes and effects must equal the recorded ones, chained \
                by commit hash. Prints the verified head; names the first block that fails \
                and why.

                Exit status: 0 every block verifies, 1 a block does not (named on stderr), \
                2 the ledger cannot be read or the node not reached, 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Option(help: ArgumentHelp("A node's home or a channel's folder to read the block files of (default: through --socket).", valueName: "dir"),
                completion: .directory)
        var ledger: String?

        func execute() throws -> ExitStatus {
            let name = try channel.resolved
            let source = try LedgerSource.open(ledger ?? global.resolvedSocket, channel: name, global: global, timeout: timeout)
            defer { source.close() }
            switch try LedgerVerification.run(source, channel: name) {
            case .verified(let report):
                global.output.emit(
                    json: ["channel": .string(name), "blocks": .int(Int64(report.blocks)), "transactions": .int(Int64(report.transactions)),
                           "valid": .int(Int64(report.valid)), "height": .int(Int64(report.blocks)),
                           "last_block_hash": .string(report.lastBlockHash?.hex ?? ""), "commit_hash": .string(report.commitHash.hex), "ok": true],
                    text: "\(name): \(report.blocks) blocks and \(report.transactions) transactions verified (\(report.valid) valid); head block \(report.blocks - 1) \(report.lastBlockHash?.hex ?? ""), commit \(report.commitHash.hex)")
                return .success
            case .failed(let reason):
                Diagnostics.error("channel \(quoted(name)): \(reason)")
                return .no
            }
        }
    }
}

/// `LedgerCheck` over a source, with its "no" as a value.
enum LedgerVerification {
    enum Outcome {
        case verified(LedgerCheck.Report)
        case failed(String)
    }

    static func run(_ source: LedgerSource, channel: String,
                    observe: @escaping (UInt64, SHA256Digest, SHA256Digest) -> Void = { _, _, _ in }) throws -> Outcome {
        do {
            let report: LedgerCheck.Report
            switch source {
            case .folder(let path): report = try LedgerCheck.run(directory: path, channel: channel, completeTail: true, observe: observe)
            case .node: report = try LedgerCheck.run(channel: channel, observe: observe) { body in try source.forEach(body) }
            }
            guard report.blocks > 0 else { return .failed("\(source.label) holds no blocks") }
            return .verified(report)
        } catch let failure as LedgerCheck.Failure {
            return .failed(failure.description)
        }
    }
}

/// A verified report's head in hex.
struct LedgerCheckReportView {
    let blocks: UInt64
    let blockHash: String
    let commitHash: String

    init(_ report: LedgerCheck.Report) {
        blocks = report.blocks
        blockHash = report.lastBlockHash?.hex ?? ""
        commitHash = report.commitHash.hex
    }
}
