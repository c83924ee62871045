/// A record the system contracts stored (a JSON object: an account, a definition
/// version), read back with `CanonicalJSON.parse`, with typed member access (nil when
/// absent or of another type).
struct SystemRecord {
    var members: [String: CanonicalJSON.Value]

    /// nil when `bytes` are not a JSON object.
    init?(_ bytes: [UInt8]) {
        guard case .object(let members)? = try? CanonicalJSON.parse(bytes) else { return nil }
        self.members = members
    }

    func string(_ name: String) -> String? {
        if case .string(let text)? = members[name] { return text }
        return nil
    }

    func integer(_ name: String) -> Int? {
        if case .integer(let number)? = members[name] { return number }
        return nil
    }

    func object(_ name: String) -> [String: CanonicalJSON.Value]? {
        if case .object(let object)? = members[name] { return object }
        return nil
    }

    var encoded: [UInt8] { CanonicalJSON.encode(.object(members)) }
}

/// The state as of a block's earlier transactions reads like any other state: the
/// executor asks it whether a creator's account is deregistered.
extension BlockState: StateReader {}
