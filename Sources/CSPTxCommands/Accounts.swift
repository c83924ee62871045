import ArgumentParser
import CSPBasics
import CSPCLI

extension CSPTx {
    /// `csp-tx accounts`: the registered accounts.
    struct Accounts: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "List the registered accounts, or show one account's profile.",
            discussion: """
                Reads account/ (docs/CONTRACTS.md): one line per account with its role, \
                status and display name; with ACCOUNT, its whole profile. With --format \
                json, the stored profiles, one per line. Exits 1 when ACCOUNT is not \
                registered. (The transactions of an account: 'csp-tx account'.)
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption

        @Argument(help: ArgumentHelp("One account, as ORG/ID.", valueName: "account"))
        var account: String?

        func execute() throws -> ExitStatus {
            let participant = try Participant(home: global.resolvedHome)
            let reads = try participant.stateReads(socket: global.resolvedSocket, channel: try channel.resolved, timeout: timeout.limit)
            defer { reads.client.close() }
            if let account {
                guard let profile = try reads.json("account/\(account)"), let object = profile.object else {
                    throw CommandFailure("no account \(quoted(account))", status: .no)
                }
                global.output.emit(json: object, text: Self.profile(profile))
                return .success
            }
            for item in try reads.range("account/") {
                guard let profile = item.value.flatMap(StateJSON.parse), let object = profile.object else { continue }
                global.output.emit(json: object, text: Self.line(profile))
            }
            return .success
        }

        /// "Acme/alice  customer  active  Alice Liddell"
        static func line(_ profile: JSONValue) -> String {
            [profile["account"], profile["role"], profile["status"], profile["displayName"]].map { $0?.plain ?? "?" }.joined(separator: "  ")
        }

        static func profile(_ profile: JSONValue) -> String {
            var lines = [line(profile)]
            for (name, value) in (profile["contact"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines.append("\(name.padding(toLength: 13, withPad: " ", startingAt: 0))\(value.plain)")
            }
            for event in ["registered", "deregistered"] {
                guard let stamp = profile[event] else { continue }
                lines.append("\(event.padding(toLength: 13, withPad: " ", startingAt: 0))block \(stamp["block"]?.plain ?? "?")  "
                    + "\(stamp["time"]?.integer.map(WorkflowText.time) ?? "?")  by \(stamp["by"]?.plain ?? "?")")
            }
            return lines.joined(separator: "\n")
        }
    }
}
