import CSPBasics

/// Reads the members of one JSON object of a definition strictly: every member must be
/// known, and each has the type it should. `context` prefixes problems ("transition
/// 'accept': ...").
struct JSONObject {
    let members: [String: CanonicalJSON.Value]
    let context: String

    init(_ value: CanonicalJSON.Value, _ context: String, known: [String]) throws(DefinitionError) {
        guard case .object(let members) = value else { throw DefinitionError("\(context)must be a JSON object") }
        self.members = members
        self.context = context
        for name in members.keys.sorted() where !known.contains(name) {
            throw DefinitionError("\(context)unknown key \(quoted(name))")
        }
    }

    func problem(_ text: String) -> DefinitionError { DefinitionError(context + text) }

    func has(_ key: String) -> Bool { members[key] != nil }

    func string(_ key: String) throws(DefinitionError) -> String {
        guard let value = members[key] else { throw problem("missing \(quoted(key))") }
        guard case .string(let text) = value else { throw problem("\(quoted(key)) must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(DefinitionError) -> String? {
        members[key] == nil ? nil : try string(key)
    }

    func integer(_ key: String) throws(DefinitionError) -> Int {
        guard let value = members[key] else { throw problem("missing \(quoted(key))") }
        guard case .integer(let number) = value else { throw problem("\(quoted(key)) must be an integer") }
        return number
    }

    func optionalInteger(_ key: String) throws(DefinitionError) -> Int? {
        members[key] == nil ? nil : try integer(key)
    }

    func bool(_ key: String) throws(DefinitionError) -> Bool {
        guard let value = members[key] else { return false }
        guard case .bool(let flag) = value else { throw problem("\(quoted(key)) must be true or false") }
        return flag
    }

    func array(_ key: String, required: Bool = false) throws(DefinitionError) -> [CanonicalJSON.Value] {
        guard let value = members[key] else {
            if required { throw problem("missing \(quoted(key))") }
            return []
        }
        guard case .array(let elements) = value else { throw problem("\(quoted(key)) must be an array") }
        return elements
    }

    /// An array of distinct strings.
    func strings(_ key: String, required: Bool = false) throws(DefinitionError) -> [String] {
        var result: [String] = []
        for element in try array(key, required: required) {
            guard case .string(let text) = element else { throw problem("\(quoted(key)) must hold only strings") }
            guard !result.contains(text) else { throw problem("\(quoted(key)) names \(quoted(text)) twice") }
            result.append(text)
        }
        return result
    }

    /// An object's members in name order (so the first problem found is always the same).
    func object(_ key: String) throws(DefinitionError) -> [(String, CanonicalJSON.Value)] {
        guard let value = members[key] else { return [] }
        guard case .object(let inner) = value else { throw problem("\(quoted(key)) must be an object") }
        return inner.keys.sorted().map { ($0, inner[$0]!) }
    }
}

