import CSPBasics

/// Answers an access node relayed without being able to check them against its verified
/// block headers (it marks them `unproven`, docs/NETWORK.md "Access nodes"): a state
/// read, or a transaction's validation code. The command prints what it read and warns
/// once on stderr; the exit status is unchanged, since nothing contradicts the answer.
public enum UnprovenAnswer {
    private static let seen = Locked<Bool>(false)

    /// Warns the first time a command meets an unproven answer.
    public static func record(_ reason: String) {
        guard !seen.value else { return }
        seen.value = true
        Diagnostics.warning("the access node could not prove this answer: \(reason)")
    }
}
