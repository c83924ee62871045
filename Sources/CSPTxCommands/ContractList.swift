import ArgumentParser
import CSPCLI
import Foundation

extension CSPTx {
    /// `csp-tx contract list`: every definition version on the channel.
    struct ContractList: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "list",
            abstract: "List the workflow definitions: each version, its status and approvals.",
            discussion: """
                One line per version (contract/def/): name, version, status (proposed, \
                active, superseded), who approved and who is still to, the hash. With \
                --format json: name, version, status, hash, organizations, approvals. \
                Prints nothing when there are none. --calls prints instead the calls \
                'csp-tx call' takes, DEFINITION.TRANSITION of every active definition, \
                one per line in byte order, plain text whatever --format says (the shell \
                completions ask for them).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Flag(name: .long, help: "Print DEFINITION.TRANSITION for every active definition, one per line, for 'csp-tx call'.")
        var calls = false

        func execute() throws -> ExitStatus {
            let records = try definitions()
            if calls {
                guard !global.quiet else { return .success }
                for name in Self.calls(of: records) { print(name) }
                return .success
            }
            for record in records { global.output.emit(json: DefinitionRecord.summary(record), text: DefinitionRecord.line(record)) }
            return .success
        }

        /// Every definition version on the channel, by name, then version.
        func definitions() throws -> [JSONValue] {
            let participant = try Participant(home: global.resolvedHome)
            let reads = try participant.stateReads(socket: global.resolvedSocket, channel: try channel.resolved, timeout: timeout.limit)
            defer { reads.client.close() }
            // Keys sort VERSION as text (10 before 2): order by name, then number.
            return try reads.range("contract/def/").compactMap { $0.value.flatMap(StateJSON.parse) }.sorted { a, b in
                let (nameA, nameB) = (a["name"]?.plain ?? "", b["name"]?.plain ?? "")
                return nameA != nameB ? nameA < nameB : (a["version"]?.integer ?? 0) < (b["version"]?.integer ?? 0)
            }
        }

        /// DEFINITION.TRANSITION of every active definition, in byte order.
        static func calls(of records: [JSONValue]) -> [String] {
            let names = records.filter { $0["status"]?.plain == "active" }.flatMap { record in
                (record["definition"]?["transitions"]?.object.map { Array($0.keys) } ?? []).map { "\(record["name"]?.plain ?? "?").\($0)" }
            }
            return Set(names).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        }

        /// The completion of `csp-tx call`'s first argument: the calls of the node and
        /// channel this command line names. `words` is the whole line, so a `--home`,
        /// `--socket` or `--channel` typed on it is the one asked, as it would be when the
        /// line runs; nothing when no node answers within 2 s.
        static func completeCalls(_ words: [String]) -> [String] {
            var arguments = ["--calls", "--timeout", "2s"]
            for (index, word) in words.enumerated() {
                for name in ["--home", "--socket", "--channel"] {
                    var value: String?
                    if word == name, index + 1 < words.count { value = words[index + 1] }
                    if word.hasPrefix(name + "=") { value = String(word.dropFirst(name.count + 1)) }
                    // The shell has not expanded a ~ typed on the line yet.
                    if var path = value {
                        if path == "~" || path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
                            path = home + path.dropFirst()
                        }
                        arguments += [name, path]
                    }
                }
            }
            guard let list = try? ContractList.parse(arguments), let records = try? list.definitions() else { return [] }
            return calls(of: records)
        }
    }
}
