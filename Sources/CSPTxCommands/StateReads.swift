import CSPBasics
import CSPCLI
import CSPNodeProtocol
import Foundation

/// Signed reads of the world state on one connection: one key, many keys at once,
/// everything under a prefix. What the workflow and contract commands read.
struct StateReads {
    let client: NodeClient
    let channel: String

    /// The node's largest page (docs/PROTOCOL.md).
    static let pageLimit = 1000
    /// Reads in flight at once on the connection.
    static let window = 64

    /// The value of `key`, nil when it has none.
    ///
    /// Asked as a range of the key itself, limit 1: the key sorts first among those it
    /// prefixes, so the answer is it or nothing, and "not found" is an empty page rather
    /// than a status 1 that a refused read answers too.
    func value(_ key: String) throws -> String? {
        try values([key])[0]
    }

    /// The values of `keys`, in order, nil for each key that has none. Up to `window`
    /// requests are in flight: one round trip for a page of todo entries, not one per
    /// key, yet never so many unanswered that both sides' socket buffers fill.
    func values(_ keys: [String]) throws -> [String?] {
        var results = [String?](repeating: nil, count: keys.count)
        var waiting: [UInt64: Int] = [:]
        var next = 0
        while next < keys.count || !waiting.isEmpty {
            while next < keys.count && waiting.count < Self.window {
                var request = client.makeRequest("range", channel: channel)
                request.key = keys[next]
                request.limit = 1
                try client.sign(&request)
                try client.send(request)
                waiting[request.id] = next
                next += 1
            }
            let response = try client.receive()
            try check(response)  // id 0 (a frame the node could not read) fails here too
            guard let index = waiting.removeValue(forKey: response.id) else { continue }
            results[index] = response.items?.first.flatMap { $0.key == keys[index] ? $0.value : nil }
        }
        return results
    }

    /// Every key under `prefix` in key order, following `next` until the end or until
    /// `limit` items (nil: all).
    func range(_ prefix: String, limit: Int? = nil) throws -> [NodeItem] {
        try ranges([prefix], limit: limit)[0]
    }

    /// `range` of several prefixes at once: each round sends the next page of every
    /// prefix not yet done before reading the answers.
    func ranges(_ prefixes: [String], limit: Int? = nil) throws -> [[NodeItem]] {
        var items = Array(repeating: [NodeItem](), count: prefixes.count)
        var after: [String?] = Array(repeating: nil, count: prefixes.count)
        var pending = Array(prefixes.indices)
        while !pending.isEmpty {
            var sent: [UInt64: Int] = [:]
            for index in pending {
                var request = client.makeRequest("range", channel: channel)
                request.key = prefixes[index]
                request.limit = min(Self.pageLimit, max(1, (limit ?? Self.pageLimit) - items[index].count))
                request.after = after[index]
                try client.sign(&request)
                try client.send(request)
                sent[request.id] = index
            }
            var next: [Int] = []
            while !sent.isEmpty {
                let response = try client.receive()
                try check(response)
                guard let index = sent.removeValue(forKey: response.id) else { continue }
                items[index] += response.items ?? []
                after[index] = response.next
                if response.next != nil && items[index].count < (limit ?? Int.max) { next.append(index) }
            }
            pending = next.sorted()
        }
        return items
    }

    /// A JSON value stored at `key`; nil when absent. A value that is not JSON is an
    /// answer this tool cannot read: exit 2.
    func json(_ key: String) throws -> JSONValue? {
        guard let text = try value(key) else { return nil }
        guard let value = StateJSON.parse(text) else { throw CommandFailure("the value of \(quoted(key)) is not JSON") }
        return value
    }
}

extension Participant {
    /// State reads on a new connection to `socket`.
    func stateReads(socket: String, channel: String, timeout: Double?) throws -> StateReads {
        StateReads(client: try client(socket: socket, timeout: timeout), channel: channel)
    }
}
