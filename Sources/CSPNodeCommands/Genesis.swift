import ArgumentParser
import CSPBasics
import CSPChannel
import CSPCLI
import Foundation

extension CSPNode {
    /// `csp-node genesis`: the genesis configuration built from CA homes and PEM files.
    struct Genesis: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Build a channel's genesis configuration from CA homes and certificate files; prints commented YAML.",
            discussion: """
                Reads each organisation's CA chain and CRLs from its CA home (ca-chain.pem or \
                ca-cert.pem, and crl.pem) or from PEM files, the orderer's certificate from the \
                node's home or a file, and prints YAML that 'csp-node init --config' takes, with \
                every certificate and CRL described in a comment (subject, issuer, validity, \
                revocations). Nothing is written: redirect it to a file, review it, then init. \
                The configuration is checked as init checks it before it is printed, so an \
                orderer that no member's CA issued, an admin of an unknown organisation or a \
                CA without a CRL is refused here (exit 2). Policy presets: \
                \(PolicyPreset.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).

                Example:
                  csp-node genesis --channel consortium --org Acme=/srv/ca --orderer /srv/node \\
                    --admin Acme/root --policy consortium > genesis.yaml
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: "The channel's name: 1-64 characters of a-z, 0-9 and '-'.")
        var channel: String

        @Option(name: .long, help: ArgumentHelp(
            "A member organisation and its CA: a CA home (csp-ca init --home) or a PEM file of its CA chain (repeatable).",
            valueName: "name=dir-or-pem"), completion: .file())
        var org: [String] = []

        @Option(name: .long, help: ArgumentHelp(
            "A further CRL for an organisation, e.g. its root's above an intermediate CA home (repeatable).",
            valueName: "name=crl-pem"), completion: .file())
        var crl: [String] = []

        @Option(name: .long, help: ArgumentHelp(
            "The ordering node's certificate: the node's home (its cert.pem) or a PEM file.", valueName: "dir-or-pem"),
            completion: .file())
        var orderer: String

        @Option(name: .long, help: ArgumentHelp(
            "A channel admin, ORGANIZATION/ID as in the certificate (repeatable; at least one).", valueName: "org/id"))
        var admin: [String] = []

        @Option(name: .long, help: ArgumentHelp(
            "The access policy: a preset (\(PolicyPreset.all.map(\.name).joined(separator: ", "))) or a JSON/YAML file of the policy schema.",
            valueName: "preset-or-file"), completion: .custom { _ in PolicyPreset.all.map(\.name) })
        var policy: String = PolicyPreset.consortium.name

        @Option(name: .long, help: "Transactions per block at most (1-\(10_000)).")
        var maxTransactions: Int = BlockCutting.defaultMaxTransactions

        @Option(name: .long, help: "Bytes per block at most (1024-\(ChannelConfig.maximumBlockBytes)).")
        var maxBytes: Int = BlockCutting.defaultMaxBytes

        @Option(name: .long, help: ArgumentHelp("How long the first waiting transaction waits for others before its block is cut (1-\(ChannelConfig.maximumBlockTimeoutMilliseconds)).", valueName: "milliseconds"))
        var blockTimeout: Int = BlockCutting.defaultTimeoutMilliseconds

        @Option(name: .long, help: ArgumentHelp("How far a transaction's timestamp may be from its block's (1-\(ChannelConfig.maximumTimestampWindowSeconds)).", valueName: "seconds"))
        var timestampWindow: Int = ChannelConfig.defaultTimestampWindowSeconds

        func validate() throws {
            if org.isEmpty { throw ValidationError("give at least one --org NAME=CA_DIR_OR_CHAIN_PEM") }
            if admin.isEmpty { throw ValidationError("give at least one --admin ORGANIZATION/ID") }
            // The ranges the help states, as usage errors before any file is read.
            for (name, value, range) in [("--max-transactions", maxTransactions, 1...10_000), ("--max-bytes", maxBytes, 1024...ChannelConfig.maximumBlockBytes),
                                         ("--block-timeout", blockTimeout, 1...ChannelConfig.maximumBlockTimeoutMilliseconds),
                                         ("--timestamp-window", timestampWindow, 1...ChannelConfig.maximumTimestampWindowSeconds)] where !range.contains(value) {
                throw ValidationError("\(name) must be \(range.lowerBound) to \(range.upperBound), got \(value)")
            }
            for pair in org + crl where Self.split(pair) == nil {
                throw ValidationError("\(quoted(pair)) is not NAME=PATH")
            }
            let names = org.compactMap { Self.split($0)?.0 }
            if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
                throw ValidationError("organization \(quoted(twice)) is given twice")
            }
            if let stray = crl.compactMap({ Self.split($0)?.0 }).first(where: { !names.contains($0) }) {
                throw ValidationError("--crl names \(quoted(stray)), which no --org gives")
            }
        }

        func execute() throws -> ExitStatus {
            var organizations: [Organization] = []
            for pair in org {
                let (name, source) = Self.split(pair)!
                let crlFiles = crl.compactMap(Self.split).filter { $0.0 == name }.map(\.1)
                organizations.append(try GenesisSources.organization(name: name, source: source, crlFiles: crlFiles))
            }
            let (accessPolicy, note) = try resolvedPolicy()
            let config = ChannelConfig(
                channel: channel, organizations: organizations, orderer: try GenesisSources.certificate(source: orderer),
                admins: admin, blockCutting: BlockCutting(maxTransactions: maxTransactions, maxBytes: maxBytes, timeoutMilliseconds: blockTimeout),
                policy: accessPolicy, timestampWindowSeconds: timestampWindow)
            do { try config.validate() } catch {
                throw CommandFailure("the configuration would not be accepted: \(error)")
            }
            let yaml = config.commentedYAML(heading: [
                "Genesis configuration of channel \(quoted(channel)), built by csp-node genesis \(CSPVersion.string).",
                "Review it, then: csp-node init --channel \(channel) --config FILE",
                "Fields: docs/CHANNELS.md. Block 0 will carry it; later changes go through config.* transactions.",
            ], policyNote: note)
            // The same check init makes, on the very text printed: what is printed is accepted.
            do { _ = try ChannelConfig.decode(Array(yaml.utf8), source: "genesis.yaml") } catch {
                throw CommandFailure("internal error: the YAML built does not read back: \(error)")
            }
            if global.format == .json {
                print(String(decoding: config.canonicalJSON(), as: UTF8.self))
            } else {
                print(yaml, terminator: "")
            }
            return .success
        }

        private func resolvedPolicy() throws -> (AccessPolicy, String) {
            if let preset = PolicyPreset.named(policy) { return (preset.policy, "policy preset \(quoted(preset.name)): \(preset.summary)") }
            guard FileIO.exists(policy) else {
                throw CommandFailure("no policy preset or file \(quoted(policy)) (presets: \(PolicyPreset.all.map(\.name).joined(separator: ", ")))", status: .usage)
            }
            return (try AccessPolicy.load(path: policy), "policy from \(quoted(policy))")
        }

        static func split(_ pair: String) -> (String, String)? {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex, pair.index(after: equals) != pair.endIndex else { return nil }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }
}
