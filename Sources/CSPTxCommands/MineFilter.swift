import CSPCLI
import CSPNodeProtocol
import Foundation

/// Which events `csp-tx watch --mine` shows: the notification feed of one identity.
///
/// A workflow event (payload `{"id","definition","transition","from","to","by",
/// "operators","parties","deadline"}`, docs/CONTRACTS.md) is mine when its operators
/// name my account, or my role in my organisation or in any, or when its parties include
/// my account: it became my turn, or something happened to an instance I am part of.
/// An `account` event is mine when it names my account; the `contract` lifecycle events
/// (propose, approve, activate) go to admins, who approve definitions.
///
/// Decided here rather than by the node's account filter: an operator named by role is
/// no account, so the node cannot know whose turn that is.
struct MineFilter {
    let identity: LedgerIdentity

    func matches(_ item: NodeItem) -> Bool {
        guard let payload = item.payload.flatMap(StateJSON.parse) else { return false }
        switch item.contract {
        case "account":
            return payload["account"]?.string == identity.account
        case "contract":
            return identity.role == "admin"
        default:
            let operators = payload["operators"]?.array ?? []
            if operators.contains(where: isMe) { return true }
            return payload["parties"]?.object?.values.contains { $0.string == identity.account } ?? false
        }
    }

    /// An operator selector as stored: `{"account":A}` or `{"role":R[,"organization":O]}`.
    func isMe(_ selector: JSONValue) -> Bool {
        if let account = selector["account"]?.string { return account == identity.account }
        guard let role = selector["role"]?.string, role == identity.role else { return false }
        guard let organization = selector["organization"] else { return true }
        return organization.string == identity.organization
    }

    /// A workflow event as a person reads it:
    /// "block 12  D-20261130-9f2c41ab  demand.accept: submitted → accepted  by Acme/desk  next: role enterprise of Acme  due …";
    /// other events as `watch` prints them.
    static func text(_ item: NodeItem, now: Int64) -> String {
        guard let payload = item.payload.flatMap(StateJSON.parse), let id = payload["id"]?.string, let to = payload["to"]?.string else {
            return ReadOutput.text(item)
        }
        let from = payload["from"]?.string ?? ""
        return "block \(item.block ?? 0)  \(id)  \(item.contract ?? "?").\(payload["transition"]?.plain ?? item.event ?? "?"): "
            + "\(from.isEmpty ? "" : from + " ")→ \(to)  by \(payload["by"]?.plain ?? "?")  next: \(WorkflowText.operators(payload["operators"]))"
            + (payload["deadline"]?.integer.map { "  " + WorkflowText.deadline($0, now: now) } ?? "")
    }
}
