import ArgumentParser
import Foundation

/// What `cspMain` does with a command line before and after argument-parser sees it.
enum Usage {
    /// The position (1 = the first after the tool's name) of the first argument whose
    /// bytes are not UTF-8, read from argv before Swift decodes it.
    static func firstNonUTF8Argument() -> Int? {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            if String(validating: bytes, as: UTF8.self) == nil { return index }
        }
        return nil
    }

    /// The subcommand path `arguments` names from `root`: the commands, outermost first,
    /// and how many arguments named them.
    static func path(_ arguments: [String], root: ParsableCommand.Type) -> [ParsableCommand.Type] {
        var path: [ParsableCommand.Type] = [root]
        for argument in arguments where !argument.hasPrefix("-") {
            guard let next = subcommand(argument, of: path.last!) else { break }
            path.append(next)
        }
        return path
    }

    static func subcommand(_ name: String, of command: ParsableCommand.Type) -> ParsableCommand.Type? {
        command.configuration.subcommands.first { $0._commandName == name || $0.configuration.aliases.contains(name) }
    }

    /// Options before the subcommand move after it, so `csp-audit --format json hash F`
    /// means `csp-audit hash --format json F`, as git reads `git -C dir log`. A word
    /// after an option that names no subcommand is taken as that option's value. When
    /// no command without subcommands is reached, the line is left alone for
    /// argument-parser to judge.
    static func hoistingOptions(_ arguments: [String], root: ParsableCommand.Type) -> [String] {
        // `---completion SUBCOMMAND… -- ARGUMENT …` is argument-parser's own request from
        // the completion scripts (a .custom completion), not options to move.
        guard arguments.first?.hasPrefix("-") == true, arguments.first != "---completion" else { return arguments }
        var level = root
        var path: [String] = []
        var pending: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return arguments }
            if argument.hasPrefix("-") {
                pending.append(argument)
            } else if let next = subcommand(argument, of: level) {
                path.append(argument)
                level = next
                if next.configuration.subcommands.isEmpty {
                    return path + pending + arguments[(index + 1)...]
                }
            } else if let last = pending.last, last.hasPrefix("-"), !last.contains("=") {
                pending.append(argument)
            } else {
                return arguments
            }
            index += 1
        }
        return arguments
    }

    /// argument-parser's first line in git's voice: lower case, a suggestion on a typo,
    /// and the help to read, of the subcommand the line reached.
    static func describe(_ message: String, arguments: [String], root: ParsableCommand.Type) -> String {
        let path = self.path(arguments, root: root)
        let names = [root.configuration.commandName ?? root._commandName] + path.dropFirst().map { $0._commandName }
        var text = message
        if let word = firstUnexpected(message), !word.hasPrefix("-"),
           !path.last!.configuration.subcommands.isEmpty {
            let candidates = path.last!.configuration.subcommands.map { $0._commandName }
            text = "unknown command \(quote(word)) for '\(names.joined(separator: " "))'"
            if let nearest = nearest(word, among: candidates) { text += "; did you mean \(quote(nearest))?" }
        } else {
            text = text.replacingOccurrences(of: ". Did you mean ", with: "; did you mean ")
            text = text.prefix(1).lowercased() + text.dropFirst()
        }
        return "\(text) (see '\(names.joined(separator: " ")) --help')"
    }

    private static func quote(_ text: String) -> String { "'\(text)'" }

    /// The first word of "Unexpected argument 'x'" or "2 unexpected arguments: 'x', 'y'".
    private static func firstUnexpected(_ message: String) -> String? {
        guard message.lowercased().contains("unexpected argument"), let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }

    /// The candidate within a third of the word's length in edits (at least one), if any.
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= max(1, word.count / 3) || best.hasPrefix(word) else { return nil }
        return best
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { table[i][0] = i }
        for j in 0...y.count { table[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[x.count][y.count]
    }
}
