import CSPBasics

/// The `config` file of a home: defaults a cron line would otherwise repeat. Flags
/// override environment variables, which override this file, which overrides the
/// built-in defaults (README, "Configuration").
///
///     # ~/.csp/config
///     socket = /srv/node/node.sock    # relative paths are relative to the home
///     channel = consortium
///     format = json
///
/// One `key = value` per line, `#` starts a comment, blank lines are ignored, a value
/// may be double-quoted (to keep a `#` or surrounding spaces). Unknown keys and
/// malformed lines are refused with the file and line, so a typo never silently means
/// "default".
public struct HomeConfiguration: Equatable, Sendable {
    public static let fileName = "config"
    public static let keys = ["socket", "channel", "format"]

    /// The file read; nil when the home has none.
    public let path: String?
    public let socket: String?
    public let channel: String?
    public let format: OutputFormat?

    public init(path: String? = nil, socket: String? = nil, channel: String? = nil, format: OutputFormat? = nil) {
        self.path = path
        self.socket = socket
        self.channel = channel
        self.format = format
    }

    /// `<home>/config`, or an empty configuration when there is none.
    public static func load(home: String) throws -> HomeConfiguration {
        let path = home + "/" + fileName
        guard FileIO.exists(path), !FileIO.isDirectory(path) else { return HomeConfiguration() }
        let text: String
        do {
            let bytes = try FileIO.read(path, limit: 1 << 20)
            guard let decoded = String(validating: bytes, as: UTF8.self) else { throw CommandFailure("\(quoted(path)) is not UTF-8 text") }
            text = decoded
        } catch let error as CommandFailure { throw error } catch {
            throw CommandFailure("cannot read configuration: \(error)")
        }
        return try parse(text, path: path, home: home)
    }

    static func parse(_ text: String, path: String, home: String) throws -> HomeConfiguration {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func fail(_ problem: String) -> CommandFailure { CommandFailure("\(quoted(path)), line \(index + 1): \(problem)") }
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = String(trimmed[..<equals].trimmingSpaces)
            guard keys.contains(key) else { throw fail("unknown key \(quoted(key)) (keys: \(keys.joined(separator: ", ")))") }
            guard values[key] == nil else { throw fail("\(quoted(key)) is set twice") }
            var value = trimmed[trimmed.index(after: equals)...].trimmingSpaces
            if value.hasPrefix("\"") {
                guard let close = value.dropFirst().firstIndex(of: "\"") else { throw fail("unterminated quoted value") }
                let rest = value[value.index(after: close)...].trimmingSpaces
                guard rest.isEmpty || rest.hasPrefix("#") else { throw fail("text after the quoted value") }
                value = value[value.index(after: value.startIndex)..<close]
            } else if let hash = value.range(of: " #") ?? value.range(of: "\t#") {
                value = value[..<hash.lowerBound].trimmingSpaces
            } else if value.hasPrefix("#") {
                value = ""
            }
            guard !value.isEmpty else { throw fail("\(quoted(key)) has no value") }
            values[key] = String(value)
        }
        var format: OutputFormat?
        if let text = values["format"] {
            guard let parsed = OutputFormat(rawValue: text) else {
                throw CommandFailure("\(quoted(path)): format \(quoted(text)) is not json or text")
            }
            format = parsed
        }
        let socket = values["socket"].map { $0.hasPrefix("/") ? $0 : home + "/" + $0 }
        return HomeConfiguration(path: path, socket: socket, channel: values["channel"], format: format)
    }

    // MARK: The configuration of this run

    private static let loaded = Locked<HomeConfiguration?>(nil)

    /// The configuration of the home this command runs with, once its options were
    /// validated (`GlobalOptions.validate()`); empty before that.
    public static var current: HomeConfiguration { loaded.value ?? HomeConfiguration() }

    static func setCurrent(_ configuration: HomeConfiguration) { loaded.value = configuration }

    /// The channel: the flag, then `$CSP_CHANNEL`, then this home's `channel`; nil when
    /// none gives one. For every command that takes `--channel`.
    public static func channel(flag: String?) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let env = Environment.value("CSP_CHANNEL"), !env.isEmpty { return env }
        return current.channel
    }

    /// What to tell a user who gave no channel.
    public static var noChannelMessage: String {
        "no channel: give --channel, set CSP_CHANNEL, or put 'channel = NAME' in \(quoted(current.path ?? "<home>/config"))"
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
