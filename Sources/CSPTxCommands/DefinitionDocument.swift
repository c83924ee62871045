import CSPBasics
import CSPChannel
import CSPCLI
import CSPContracts
import Foundation
import Yams

/// A contract definition file (docs/CONTRACTS.md, "Definitions") made ready for
/// `contract.propose`: the ledger only ever sees JSON, so YAML is converted here.
struct DefinitionDocument {
    /// The JSON sent as the `definition` argument.
    let json: [UInt8]
    let name: String
    let version: Int

    /// Definitions are small; this bounds what a mistaken path (a video) would cost.
    static let maximumSize = 1 << 20
    /// Nodes a YAML document may expand to: aliases can repeat a subtree, and a few
    /// nested ones would otherwise multiply into millions of values.
    static let maximumNodes = 100_000

    init(file: String) throws {
        let bytes = try FileIO.read(file, limit: Self.maximumSize)
        try self.init(bytes: bytes, source: file)
    }

    /// JSON is sent as written (the node canonicalizes it and hashes the result); YAML
    /// becomes canonical JSON. Either way nesting deeper than the configuration loader
    /// allows is refused before a parser sees it.
    init(bytes: [UInt8], source: String) throws {
        let yaml = DocumentNesting.isYAML(source: source, bytes: bytes)
        do {
            try DocumentNesting.check(bytes, yaml: yaml)
        } catch {
            throw CommandFailure("\(quoted(source)): \(error)")
        }
        if yaml {
            json = try Self.json(yaml: bytes, source: source)
        } else {
            json = bytes
        }
        guard let value = StateJSON.parse(String(decoding: json, as: UTF8.self)) else {
            throw CommandFailure("\(quoted(source)) is not valid JSON")
        }
        guard value.object != nil else { throw CommandFailure("\(quoted(source)) must hold a definition (a mapping), not \(Self.kind(value))") }
        guard let name = value["name"]?.string else { throw CommandFailure("\(quoted(source)): the definition has no \"name\" (a string)") }
        guard let version = value["version"]?.integer, version >= 1, version <= Int64(Int32.max) else {
            throw CommandFailure("\(quoted(source)): the definition has no \"version\" (an integer, 1 or more)")
        }
        self.name = name
        self.version = Int(version)
    }

    /// YAML to canonical JSON. Scalars resolve as JSON reads them (the YAML 1.2 core
    /// schema): `true`/`false`, `null`/`~`/empty, decimal integers; everything else is a
    /// string, so `NO` stays the organisation "NO" and `2026-12-31` a date string.
    /// Fractions are refused: the ledger stores no floating point (amounts are strings).
    static func json(yaml bytes: [UInt8], source: String) throws -> [UInt8] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw CommandFailure("\(quoted(source)) is not UTF-8 text") }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text, resolver())
        } catch let error as YamlError {
            throw CommandFailure("\(quoted(source)) is not valid YAML: \(describe(error))")
        } catch {
            throw CommandFailure("\(quoted(source)) is not valid YAML: \(firstLine("\(error)"))")
        }
        guard let node else { throw CommandFailure("\(quoted(source)) is empty") }
        var budget = maximumNodes
        return CanonicalJSON.encode(try value(node, source: source, path: "", budget: &budget))
    }

    /// Built per document: Yams' Resolver is not Sendable, and a document is parsed once.
    private static func resolver() -> Resolver {
        // The patterns are constants: a failure here is a bug, caught by every test run.
        // swiftlint:disable:next force_try
        try! Resolver.basic
            .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
            .appending(.null, "^(?:~|null|Null|NULL|)$")
            .appending(.int, "^[-+]?[0-9]+$")
            .appending(.float, "^[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\\.(?:inf|Inf|INF)$|^\\.(?:nan|NaN|NAN)$")
    }

    private static func value(_ node: Node, source: String, path: String, budget: inout Int) throws -> CanonicalJSON.Value {
        budget -= 1
        guard budget >= 0 else { throw CommandFailure("\(quoted(source)): more than \(maximumNodes) values (aliases repeating a subtree?)") }
        let at = path.isEmpty ? "" : " at \(path)"
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .str:
                return .string(scalar.string)
            case .bool:
                return .bool(scalar.string.lowercased() == "true")
            case .null:
                return .null
            case .int:
                let digits = scalar.string.hasPrefix("+") ? String(scalar.string.dropFirst()) : scalar.string
                guard let number = Int(digits) else { throw CommandFailure("\(quoted(source))\(at): \(scalar.string) is too large an integer") }
                return .integer(number)
            case .float:
                throw CommandFailure("\(quoted(source))\(at): \(scalar.string) is not an integer (write fractions and amounts as strings)")
            default:
                throw CommandFailure("\(quoted(source))\(at): unsupported tag \(quoted(node.tag.description))")
            }
        case .sequence(let sequence):
            var values: [CanonicalJSON.Value] = []
            for (index, element) in sequence.enumerated() {
                values.append(try value(element, source: source, path: "\(path)[\(index)]", budget: &budget))
            }
            return .array(values)
        case .mapping(let mapping):
            var members: [String: CanonicalJSON.Value] = [:]
            for (key, element) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw CommandFailure("\(quoted(source))\(at): a key must be text, not a list or mapping")
                }
                let name = scalar.string
                guard members[name] == nil else { throw CommandFailure("\(quoted(source))\(at): key \(quoted(name)) appears twice") }
                members[name] = try value(element, source: source, path: path.isEmpty ? name : "\(path).\(name)", budget: &budget)
            }
            return .object(members)
        }
    }

    private static func kind(_ value: JSONValue) -> String {
        switch value {
        case .array: return "a list"
        case .string: return "a string"
        case .null: return "nothing"
        default: return "a scalar"
        }
    }

    /// Yams' own text spans several lines with a snippet; a message wants the position
    /// and the problem.
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        default:
            return firstLine("\(error)")
        }
    }

    private static func firstLine(_ text: String) -> String {
        (text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text).trimmingCharacters(in: .whitespaces)
    }
}
