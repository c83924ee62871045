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

    /// The deepest nesting a configuration document may have. The schema needs five or
    /// six levels; the YAML and JSON parsers recurse once per level, and a few thousand
    /// levels exhaust the stack (docs/CHANNELS.md, "Limits").
    static let maximumNesting = 64

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], format: Format) throws(ChannelConfigError) -> T {
        try NestingScan.check(bytes, format: format, limit: maximumNesting)
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

/// A cheap pass over a document before any parser sees it, refusing nesting deeper than a
/// limit: flow collections (`[[[`, `{a: {a:`, and all of JSON) by their brackets, YAML
/// block collections by their indentation, each `- `, `? ` and `: ` indicator counting
/// as a level. Skipped like a parser skips them: quoted scalars and JSON strings,
/// comments, block scalars (`|`, `>`). Wherever the scan cannot be exact it counts more
/// than the parser would, never fewer, so nothing deeper than the limit reaches a parser.
enum NestingScan {
    /// One open block node: its column, and whether it is a sequence entry (a sibling
    /// entry at the same column replaces it; a mapping key there is its parent).
    private struct Level {
        let column: Int
        let entry: Bool
    }

    static func check(_ bytes: [UInt8], format: ConfigDecoding.Format, limit: Int) throws(ChannelConfigError) {
        let yaml = format == .yaml
        var flow = 0
        var block: [Level] = []
        var quote: UInt8?  // inside a quoted scalar (YAML) or a string (JSON)
        var escaped = false
        // Inside a block scalar: the indentation of the line that opened it, and of its text once known.
        var scalarParent: Int?
        var scalarIndent: Int?
        var lineNumber = 0
        var start = 0
        func refuse() -> ChannelConfigError {
            ChannelConfigError("nested deeper than \(limit) levels at line \(lineNumber)")
        }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d }

        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0a { end += 1 }
            lineNumber += 1
            let line = Array(bytes[start..<end])
            start = end + 1
            let indent = line.prefix { $0 == 0x20 }.count
            let blank = line.allSatisfy(isSpace)

            if yaml, let parent = scalarParent, quote == nil {
                if blank { continue }
                if let text = scalarIndent {
                    if indent >= text { continue }
                } else if indent > parent {
                    scalarIndent = indent
                    continue
                }
                scalarParent = nil
                scalarIndent = nil
            }
            var index = 0
            if yaml && quote == nil {
                if blank || line[indent] == UInt8(ascii: "#") { continue }
                // The line's block levels: its indicators ("- ", "? ", ": "), then its content.
                var levels: [Level] = []
                index = indent
                while index + 1 < line.count, [UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":")].contains(line[index]),
                      isSpace(line[index + 1]) {
                    levels.append(Level(column: index, entry: true))
                    index += 2
                    while index < line.count && isSpace(line[index]) { index += 1 }
                }
                if index < line.count { levels.append(Level(column: index, entry: false)) }
                let first = levels.first ?? Level(column: indent, entry: false)
                while let last = block.last, last.column > first.column || (last.column == first.column && (last.entry || !first.entry)) {
                    block.removeLast()
                }
                block += levels
                if block.count + flow > limit { throw refuse() }
            }

            // Brackets, quotes and comments within the line.
            var contentEnd = line.count
            while index < line.count {
                let byte = line[index]
                defer { index += 1 }
                if let open = quote {
                    if escaped {
                        escaped = false
                    } else if byte == 0x5c && open == 0x22 {
                        escaped = true
                    } else if byte == open {
                        // '' inside a single-quoted scalar is a quote, not its end.
                        if open == 0x27 && index + 1 < line.count && line[index + 1] == 0x27 { index += 1 } else { quote = nil }
                    }
                    continue
                }
                switch byte {
                case 0x22 where !yaml:  // a JSON string
                    quote = byte
                case 0x22, 0x27:  // " or ' in YAML: quoted only where a scalar starts
                    if yaml && startsScalar(line, at: index) { quote = byte }
                case 0x23 where yaml && (index == 0 || isSpace(line[index - 1])):  // # comment
                    contentEnd = index
                    index = line.count
                case 0x5b, 0x7b:  // [ {
                    flow += 1
                    if flow + block.count > limit { throw refuse() }
                case 0x5d, 0x7d:  // ] }
                    flow = max(0, flow - 1)
                default:
                    break
                }
            }
            // "key: |" or "- >-": the lines below, indented deeper, are text (never so
            // inside a flow collection, where `|` is a plain character).
            if yaml && quote == nil && flow == 0 {
                var content = line[..<contentEnd]
                while let last = content.last, isSpace(last) { content = content.dropLast() }
                while let last = content.last, (0x30...0x39).contains(last) || last == 0x2b || last == 0x2d { content = content.dropLast() }
                if let mark = content.last, mark == UInt8(ascii: "|") || mark == UInt8(ascii: ">") {
                    let before = content.dropLast().last
                    if before == nil || isSpace(before!) {
                        scalarParent = indent
                        scalarIndent = nil
                    }
                }
            }
        }
    }

    /// Whether a quote at `index` opens a quoted scalar: YAML treats a quote inside a
    /// plain scalar (`it's`, `say "hi"`) as text. A quote opens one when it follows the
    /// start of the line, an indicator (`- `, `: `, `? `) or a flow bracket or comma.
    private static func startsScalar(_ line: [UInt8], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0 && (line[before] == 0x20 || line[before] == 0x09) { before -= 1 }
        guard before >= 0 else { return true }
        let previous = line[before]
        if [UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ",")].contains(previous) { return true }
        let spaced = before + 1 < index  // at least one blank between the indicator and the quote
        return spaced && [UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "?")].contains(previous)
    }
}

/// The configuration loader's format sniffing and nesting limit, for tools that read
/// other documents in YAML or JSON (csp-tx's contract definitions): one scan, one limit,
/// one message, wherever a parser must not recurse without bound.
public enum DocumentNesting {
    public static let limit = ConfigDecoding.maximumNesting

    /// YAML or JSON as the configuration loader decides it: by the extension, else JSON
    /// when the text opens with `{`.
    public static func isYAML(source: String, bytes: [UInt8]) -> Bool {
        ConfigDecoding.Format(source: source, bytes: bytes) == .yaml
    }

    /// Refuses a document nested deeper than `limit`, naming the line.
    public static func check(_ bytes: [UInt8], yaml: Bool) throws(ChannelConfigError) {
        try NestingScan.check(bytes, format: yaml ? .yaml : .json, limit: limit)
    }
}
