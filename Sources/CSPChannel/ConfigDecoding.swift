import CSPBasics
import Foundation
import Yams

/// Turns genesis files and configuration arguments (JSON or YAML, one schema) into
/// values, with errors of one line that name the field at fault.
enum ConfigDecoding {
    enum Format: Equatable {
        case json, yaml

        /// By extension when the source has a known one; otherwise JSON when the text
        /// opens with `{`. Sniffing rather than "try JSON, then YAML" keeps the error
        /// of the format the author meant: a broken JSON file would otherwise report a
        /// YAML complaint about a line it never intended as YAML.
        init(source: String, bytes: [UInt8]) {
            let lowered = source.lowercased()
            if lowered.hasSuffix(".json") {
                self = .json
            } else if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
                self = .yaml
            } else {
                let first = bytes.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
                self = first == UInt8(ascii: "{") ? .json : .yaml
            }
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], format: Format) throws(ChannelConfigError) -> T {
        do {
            switch format {
            case .json:
                return try JSONDecoder().decode(type, from: Data(bytes))
            case .yaml:
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ChannelConfigError("not UTF-8 text")
                }
                return try YAMLDecoder().decode(type, from: text)
            }
        } catch let error as ChannelConfigError {
            throw error
        } catch let error as UnknownField {
            throw ChannelConfigError("unknown field \(quoted(path(error.path)))")
        } catch let error as DecodingError {
            // Yams wraps what init(from:) and its parser throw in dataCorrupted.
            if case .dataCorrupted(let context) = error, let underlying = context.underlyingError {
                if let unknown = underlying as? UnknownField {
                    throw ChannelConfigError("unknown field \(quoted(path(unknown.path)))")
                }
                if let yaml = underlying as? YamlError { throw ChannelConfigError("not valid YAML: \(describe(yaml))") }
            }
            throw ChannelConfigError(describe(error, format: format))
        } catch let error as YamlError {
            throw ChannelConfigError("not valid YAML: \(describe(error))")
        } catch {
            throw ChannelConfigError(oneLine("\(error)"))
        }
    }

    // MARK: Strict keys

    /// Thrown by `init(from:)` when a mapping has a field the schema does not know: a
    /// misspelt `blockcutting` must not silently fall back to the defaults.
    struct UnknownField: Error {
        let path: [any CodingKey]
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
        init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
    }

    static func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, _ keys: Keys.Type) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try decoder.container(keyedBy: AnyKey.self)
        // Sorted so the same file always names the same field first.
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw UnknownField(path: decoder.codingPath + [AnyKey(stringValue: unknown)])
        }
    }

    // MARK: Messages

    /// "organizations[0].crls", `policy.invoke["kv.put"]` for names holding a dot.
    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else if key.stringValue.contains(".") || key.stringValue.contains("*") {
                out += "[\"\(key.stringValue)\"]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out
    }

    private static func describe(_ error: DecodingError, format: Format) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(quoted(path(context.codingPath + [key])))"
        case .typeMismatch(let type, let context):
            return "field \(quoted(path(context.codingPath))): expected \(kind(of: type))"
        case .valueNotFound(let type, let context):
            return "field \(quoted(path(context.codingPath))): expected \(kind(of: type)), found nothing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = context.underlyingError.map { underlying in
                    (underlying as NSError).userInfo[NSDebugDescriptionErrorKey].map { "\($0)" } ?? "\(underlying)"
                } ?? context.debugDescription
                return "not valid \(format == .json ? "JSON" : "YAML"): \(oneLine(detail))"
            }
            return "field \(quoted(path(context.codingPath))): \(oneLine(context.debugDescription))"
        @unknown default:
            return oneLine("\(error)")
        }
    }

    private static func kind(of type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self { return "an integer" }
        let name = "\(type)"
        if name.hasPrefix("Array") { return "a list" }
        return "a mapping"
    }

    /// Yams' own text spans several lines with a snippet and a caret; a log line wants
    /// the position and the problem.
    private static func describe(_ error: YamlError) -> String {
        func place(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> String {
            let during = context.map { " (\($0.text), which began at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(during)"
        }
        if case let .scanner(context, problem, mark, _) = error { return place(context, problem, mark) }
        if case let .parser(context, problem, mark, _) = error { return place(context, problem, mark) }
        if case let .composer(context, problem, mark, _) = error { return place(context, problem, mark) }
        return oneLine("\(error)")
    }
}

/// The first line of a message, trimmed: every csp diagnostic is one line.
func oneLine(_ text: String) -> String {
    let first = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
    return first.trimmingCharacters(in: .whitespaces)
}
