import CSPCLI
import Foundation

/// Reading the JSON values the contracts store (docs/CONTRACTS.md) into `JSONValue`, so
/// they print back byte for byte in the deterministic form every command emits.
enum StateJSON {
    /// The value as JSON; nil when it is not JSON.
    static func parse(_ text: String) -> JSONValue? { JSONValue.parse(text) }
}

extension JSONValue {
    subscript(_ name: String) -> JSONValue? {
        if case .object(let members) = self { return members[name] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var integer: Int64? {
        if case .int(let number) = self { return number }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// A value as a person reads it: strings bare, everything else as JSON.
    var plain: String {
        if case .string(let text) = self { return text }
        return serialized
    }
}
