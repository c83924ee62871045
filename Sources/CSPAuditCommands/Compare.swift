import ArgumentParser
import CSPBasics
import CSPCLI
import CSPCrypto
import CSPParticipant

extension CSPAudit {
    /// `csp-audit compare`: where two copies of a channel agree and where they part.
    struct Compare: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Compare two copies of a channel: their common prefix and first divergence.",
            discussion: """
                A and B are each a node's home, a channel's folder or a node's socket. \
                Compares block by block the block hashes and, separately, the commit hashes \
                the headers carry, and prints the common prefix and the first block where \
                each differs. It compares, it does not verify: run 'csp-audit ledger' on each.

                Exit status: 0 one is a prefix of the other (or they are equal), 1 they \
                diverge, 2 a ledger cannot be read, 64 usage error.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Argument(help: ArgumentHelp("The first ledger.", valueName: "a"), completion: .file())
        var a: String

        @Argument(help: ArgumentHelp("The second ledger.", valueName: "b"), completion: .file())
        var b: String

        func execute() throws -> ExitStatus {
            let name = try channel.resolved
            let left = try heads(a, name), right = try heads(b, name)
            let common = min(left.count, right.count)
            let firstBlock = (0..<common).first { left[$0].0 != right[$0].0 }
            let firstCommit = (0..<common).first { left[$0].1 != right[$0].1 }
            let prefix = firstBlock ?? common
            var json: [String: JSONValue] = ["channel": .string(name), "a_height": .int(Int64(left.count)), "b_height": .int(Int64(right.count)),
                                             "common_prefix": .int(Int64(prefix)), "diverged": .bool(firstBlock != nil)]
            var lines = ["\(name): \(quoted(a)) has \(left.count) blocks, \(quoted(b)) \(right.count); common prefix \(prefix) blocks"]
            if let block = firstBlock {
                json["first_block_divergence"] = .int(Int64(block))
                lines.append("block hashes differ from block \(block): \(left[block].0.hex) in \(quoted(a)), \(right[block].0.hex) in \(quoted(b))")
            } else if left.count != right.count {
                lines.append("\(quoted(left.count > right.count ? a : b)) extends the other by \(max(left.count, right.count) - common) blocks")
            } else {
                lines.append("identical")
            }
            if let commit = firstCommit {
                json["first_commit_divergence"] = .int(Int64(commit))
                lines.append("commit hashes differ from block \(commit): \(left[commit].1.hex) in \(quoted(a)), \(right[commit].1.hex) in \(quoted(b))")
            } else {
                lines.append("commit hashes agree over the common blocks")
            }
            global.output.emit(json: json, text: lines.joined(separator: "\n"))
            return firstBlock == nil ? .success : .no
        }

        /// Every block's (hash, commit hash) as its header says.
        private func heads(_ spec: String, _ channel: String) throws -> [(SHA256Digest, SHA256Digest)] {
            let source = try LedgerSource.open(spec, channel: channel, global: global, timeout: timeout)
            defer { source.close() }
            var heads: [(SHA256Digest, SHA256Digest)] = []
            try source.forEach { record in heads.append((record.block.header.hash, record.block.header.commitHash)) }
            return heads
        }
    }
}
