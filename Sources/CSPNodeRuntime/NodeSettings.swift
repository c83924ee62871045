import CSPBasics
import CSPWire
import Foundation

/// The node's own settings file, `<home>/node.conf` (docs/NETWORK.md): `key = value`
/// lines, `#` starts a comment. It is the node's alone (clients' settings live
/// elsewhere), so the two never clash. Command-line flags and environment variables
/// override it.
///
///     listen = 127.0.0.1:7050        TCP with mutual TLS 1.3, beside the Unix socket
///     tls-certificate = cert.pem     relative paths are inside the home
///     tls-chain = ca-chain.pem
///     tls-key = key.pem
public struct NodeSettings: Equatable, Sendable {
    /// HOST:PORT for the TCP listener; nil serves the Unix socket only.
    public var listen: String?
    public var tlsCertificate: String?
    public var tlsChain: String?
    public var tlsKey: String?
    /// HOST:PORT other nodes reach this one at, announced to them (docs/NETWORK.md,
    /// "Discovery"); default: the listener's address when it is not a wildcard.
    public var advertise: String?

    public static let fileName = "node.conf"
    static let keys = ["listen", "advertise", "tls-certificate", "tls-chain", "tls-key"]

    public init() {}

    /// Reads `path`; a missing file is no settings. An unknown key or a line without `=`
    /// is an error naming the line, so a typo never silently leaves a setting out.
    public static func load(_ path: String) throws -> NodeSettings {
        guard FileIO.exists(path) else { return NodeSettings() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw NodeError("cannot read \(quoted(path)): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws -> NodeSettings {
        var settings = NodeSettings()
        let values = try parseKeys(text, source: source, keys: keys)
        settings.listen = values["listen"]
        settings.tlsCertificate = values["tls-certificate"]
        settings.tlsChain = values["tls-chain"]
        settings.tlsKey = values["tls-key"]
        settings.advertise = values["advertise"]
        return settings
    }

    /// `key = value` lines with `#` comments, every key one of `keys`; errors name the line.
    /// A key given twice keeps its last value.
    static func parseKeys(_ text: String, source: String, keys: [String]) throws -> [String: String] {
        Dictionary(try parseLines(text, source: source, keys: keys), uniquingKeysWith: { $1 })
    }

    /// The `key = value` lines in order, for files where a key may repeat (`peer` in follow.conf).
    static func parseLines(_ text: String, source: String, keys: [String]) throws -> [(key: String, value: String)] {
        var settings: [(key: String, value: String)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw NodeError("\(source):\(number + 1): expected 'key = value', got \(quoted(trimmed))")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw NodeError("\(source):\(number + 1): \(quoted(key)) has no value") }
            guard keys.contains(key) else {
                throw NodeError("\(source):\(number + 1): unknown setting \(quoted(key)) (settings: \(keys.joined(separator: ", ")))")
            }
            settings.append((key, value))
        }
        return settings
    }

    /// Splits HOST:PORT ([v6]:PORT for IPv6); the port may be 0 (any free port). `named`
    /// says in the error where the address came from.
    public static func address(_ text: String, named: String = "listen address") throws -> (host: String, port: Int) {
        guard let address = NetworkAddress.parse(text) else {
            throw NodeError("\(named) \(quoted(text)) is not HOST:PORT (a port from 0 to 65535)")
        }
        return address
    }

    /// Checks an address to announce: HOST:PORT with a real port (other nodes dial it).
    public static func checkAdvertised(_ text: String, named: String = "advertise address") throws {
        guard NetworkAddress.parse(text) != nil, !text.hasSuffix(":0") else {
            throw NodeError("\(named) \(quoted(text)) is not HOST:PORT (a port from 1 to 65535)")
        }
    }

    /// What `csp-node init` writes when the home has no settings file yet: everything
    /// commented out, so the node serves its Unix socket only until someone chooses.
    public static let example = """
        # csp-node settings (docs/NETWORK.md). Flags and environment variables override these.
        #
        # TCP listener with mutual TLS 1.3, beside the Unix socket. Clients and other nodes
        # must present a certificate of a member organisation of one of this node's
        # channels that is not revoked (the channel's CAs and CRLs). Also --listen or
        # $CSP_NODE_LISTEN. Port 0 picks a free port (the log says which).
        # listen = 127.0.0.1:7050
        #
        # The address other nodes of a channel reach this one at, which it announces to
        # them so that they find each other (default: the listen address, unless that is
        # a wildcard such as 0.0.0.0). Also --advertise or $CSP_NODE_ADVERTISE.
        # advertise = 10.0.0.5:7050
        #
        # The certificate, chain and key the node presents (default: its identity in the
        # home). Relative paths are inside the home.
        # tls-certificate = cert.pem
        # tls-chain = ca-chain.pem
        # tls-key = key.pem

        """
}
