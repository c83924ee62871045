import ArgumentParser
import CSPCLI

extension CSPTx {
    /// `csp-tx contract`: the lifecycle of workflow definitions.
    struct Contract: ParsableCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Propose, upgrade, approve, list and show workflow contract definitions.",
            discussion: """
                A definition (docs/CONTRACTS.md) becomes active once an admin of every \
                organisation it names has approved its exact text, by hash; until then \
                its calls are refused. Proposing and approving take role admin.
                """,
            subcommands: [ContractPropose.self, ContractUpgrade.self, ContractApprove.self, ContractList.self, ContractShow.self])
    }
}

/// The summary of a stored definition record (`contract/def/<NAME>/<VERSION>`) that the
/// contract commands print.
enum DefinitionRecord {
    /// name, version, status, hash, organizations, approvals (the organisations so far).
    static func summary(_ record: JSONValue) -> [String: JSONValue] {
        [
            "name": record["name"] ?? .null, "version": record["version"] ?? .null,
            "status": record["status"] ?? .null, "hash": record["hash"] ?? .null,
            "organizations": record["definition"]?["organizations"] ?? .array([]),
            "approvals": .array((record["approvals"]?.object?.keys.sorted() ?? []).map { .string($0) }),
        ]
    }

    /// "demand v1  proposed  approved by Acme; waiting for Beta  sha256 …"
    static func line(_ record: JSONValue) -> String {
        "\(record["name"]?.plain ?? "?") v\(record["version"]?.plain ?? "?")  \(record["status"]?.plain ?? "?")  "
            + approvals(record) + "  sha256 \(record["hash"]?.plain ?? "?")"
    }

    static func approvals(_ record: JSONValue) -> String {
        let approved = record["approvals"]?.object?.keys.sorted() ?? []
        let waiting = (record["definition"]?["organizations"]?.array ?? []).compactMap(\.string).filter { !approved.contains($0) }
        var parts: [String] = []
        parts.append(approved.isEmpty ? "no approvals" : "approved by " + approved.joined(separator: ", "))
        if !waiting.isEmpty { parts.append("waiting for " + waiting.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
