import CSPBasics

/// Answers from a node whose state forked from another node's on the channel (the node
/// marks them `suspect`, docs/NETWORK.md, "State forks"). The command still prints what
/// it read, warns once on stderr, and exits 2: it could not answer with certainty.
public enum SuspectAnswer {
    private static let seen = Locked<String?>(nil)

    /// Warns the first time a command meets a suspect answer.
    public static func record(_ reason: String) {
        guard seen.value == nil else { return }
        seen.value = reason
        Diagnostics.warning("the node's answer is suspect: \(reason)")
    }

    public static var reason: String? { seen.value }
}
