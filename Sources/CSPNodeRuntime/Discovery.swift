import CSPBasics
import CSPNodeProtocol
import CSPWire
import Foundation

/// The addresses this node is reached at over TCP (docs/NETWORK.md, "Discovery"): the one
/// it announces to other nodes (`advertise` in node.conf, `--advertise`, else the address
/// its listener bound when that is not a wildcard), and every one it listens on, which it
/// never takes as a source. One node per process: set once at start.
public final class NodeAddresses: Sendable {
    public static let shared = NodeAddresses()
    private let state = Locked<(advertise: String?, bound: String?, announced: Set<String>)>((nil, nil, []))

    /// The `advertise` setting (flag, environment, node.conf), when there is one.
    public func configure(advertise: String?) { state.value.advertise = advertise }

    /// The listener's `address` (HOST:PORT): the configured one before it binds (when it
    /// names a port), then the one it bound.
    func bound(_ address: String) { state.value.bound = address }

    /// What this node announces when it names itself: nil when it does not listen, or
    /// listens on a wildcard address without `advertise` (then each node it connects to
    /// is told the address it reaches that node from: `advertised(over:)`).
    var advertised: String? {
        let (advertise, bound, _) = state.value
        if let advertise { return advertise }
        guard let bound, let (host, _) = NetworkAddress.parse(bound), !Self.wildcards.contains(host) else { return nil }
        return bound
    }

    /// What this node announces to the node at the other end of `client`: `advertised`;
    /// else, when it listens on a wildcard address, the local address of that connection
    /// (the interface this node reaches that node by, so one it can reach back on) with
    /// the listener's port. Nil when it does not listen.
    func advertised(over client: NodeClient) -> String? {
        if let advertised { return advertised }
        guard let bound = state.value.bound, let (host, port) = NetworkAddress.parse(bound), Self.wildcards.contains(host),
              let local = client.localHost else { return nil }
        // An IPv4 wildcard takes no IPv6 connection.
        if host == "0.0.0.0" && local.hasPrefix("[") { return nil }
        let address = "\(local):\(port)"
        state.value.announced.insert(address)
        return address
    }

    /// The line a node listening on a wildcard address without `advertise` logs at start.
    var wildcardNotice: String? {
        let (advertise, bound, _) = state.value
        guard advertise == nil, let bound, let (host, port) = NetworkAddress.parse(bound), Self.wildcards.contains(host) else { return nil }
        return "listening on wildcard address \(bound) without an advertise address: each node this one connects to is told the local address of that connection, port \(port) (set 'advertise' in node.conf or --advertise when other nodes must use another address, e.g. behind NAT)"
    }

    private static let wildcards: Set<String> = ["0.0.0.0", "::", "[::]"]
    private static let loopback: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    /// Whether `address` is this node itself: the advertised or bound address, one it
    /// announced over a connection, or, when bound to a wildcard, the same port on a
    /// loopback or wildcard host.
    func isOwn(_ address: String) -> Bool {
        let (advertise, bound, announced) = state.value
        if address == advertise || address == bound || announced.contains(address) { return true }
        guard let bound, let (host, port) = NetworkAddress.parse(bound), Self.wildcards.contains(host),
              let (otherHost, otherPort) = NetworkAddress.parse(address) else { return false }
        return port == otherPort && (Self.loopback.contains(otherHost) || Self.wildcards.contains(otherHost))
    }
}

/// The nodes a follower learned from others (docs/NETWORK.md, "Discovery"), kept in
/// `<home>/channels/<C>/learned.conf` as `learned = HOST:PORT from HOST:PORT` lines, so a
/// restart knows them. Written atomically after each change.
struct LearnedNodes {
    static let fileName = "learned.conf"
    /// At most this many nodes are learned per channel (the orderer and follow.conf's peers aside).
    static let limit = 32

    static func load(channelDirectory directory: String) throws -> [(address: String, from: String)] {
        let path = directory + "/" + fileName
        guard FileIO.exists(path) else { return [] }
        var nodes: [(address: String, from: String)] = []
        for (_, value) in try NodeSettings.parseLines(try FileIO.readText(path), source: path, keys: ["learned"]) {
            let parts = value.components(separatedBy: " from ")
            guard parts.count == 2, NetworkAddress.parse(parts[0]) != nil else {
                throw NodeError("\(path): \(quoted(value)) is not 'HOST:PORT from HOST:PORT'")
            }
            if !nodes.contains(where: { $0.address == parts[0] }) { nodes.append((parts[0], parts[1])) }
        }
        return Array(nodes.prefix(limit))
    }

    static func save(_ nodes: [(address: String, from: String)], channelDirectory directory: String) throws {
        var text = "# Written by csp-node: nodes of this channel learned from other nodes (docs/NETWORK.md, \"Discovery\").\n"
            + "# Each is fetched from like a peer of follow.conf; delete a line (node stopped) to forget one.\n"
        for node in nodes { text += "learned = \(node.address) from \(node.from)\n" }
        try FileIO.writeAtomically(directory + "/" + fileName, text: text, mode: 0o640)
    }
}

extension ChannelService {
    /// An announcement is forgotten this long after the node last made it (a connected
    /// follower announces itself every second, or with every frame of its push stream).
    static let announcementSeconds: TimeInterval = 30
    /// A `nodes` list names at most this many nodes.
    static let nodesLimit = 64

    /// `address` (a `peers` or `follow` request's `target`, signed by a node certificate)
    /// says the node behind it serves this channel there.
    ///
    /// A follower also takes that node as a source, learned from itself: a node that only
    /// connects to this one (its own sources elsewhere, named by nobody else) still serves
    /// blocks; it is checked like any source (its certificate, every block it serves).
    func announce(_ address: String) {
        guard NetworkAddress.parse(address) != nil, !NodeAddresses.shared.isOwn(address) else { return }
        sources?.learn([address], from: address)
        let now = Date()
        announced.value = announced.value.filter { now.timeIntervalSince($0.value) < Self.announcementSeconds }
            .merging([address: now]) { $1 }
        if announced.value.count > Self.nodesLimit {
            // Bounded: the oldest announcements go first.
            let oldest = announced.value.sorted { $0.value < $1.value }.prefix(announced.value.count - Self.nodesLimit)
            announced.value = announced.value.filter { entry in !oldest.contains { $0.key == entry.key } }
        }
    }

    /// The nodes of this channel this node knows, for a `nodes` answer: its own address
    /// first, then its orderer and sources (not those found forked), then the nodes that
    /// announced themselves lately; never `excluding` (the asker).
    func knownNodes(excluding asker: String?) -> [String] {
        let now = Date()
        var nodes: [String] = []
        if let own = NodeAddresses.shared.advertised { nodes.append(own) }
        nodes += sources?.trustedAddresses() ?? []
        nodes += announced.value.filter { now.timeIntervalSince($0.value) < Self.announcementSeconds }.sorted { $0.value > $1.value }.map(\.key)
        var seen = Set<String>()
        return Array(nodes.filter { $0 != asker && seen.insert($0).inserted }.prefix(Self.nodesLimit))
    }

    /// What a node says of its block `number` (its last when `number` is past it, or nil):
    /// its hash and commit hash, compared by the node that asked (PeerExchange.swift).
    func blockHashes(at number: UInt64?) throws -> NodeItem? {
        let height = ledger.height
        guard height > 0 else { return nil }
        let at = min(number ?? height - 1, height - 1)
        guard let header = try ledger.block(number: at)?.block.header else { return nil }
        var item = NodeItem()
        item.block = at
        item.hash = header.hash.hex
        item.commitHash = header.commitHash.hex
        return item
    }
}
