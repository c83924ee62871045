import CSPBasics
import CSPCrypto
import CSPWire
import Foundation
import Synchronization

/// A participant's connection to `csp-node`: sends requests, signs reads with the
/// participant's key, and matches responses to requests by id.
/// @unchecked Sendable: like FrameClient, one sender and one receiver may run at once,
/// and any thread may make requests (ids come from an atomic counter) or close.
public final class NodeClient: @unchecked Sendable {
    public let path: String
    private let connection: FrameClient
    private let nextID = Atomic<UInt64>(1)
    private let key: P256PrivateKey?
    private let certificateDER: [UInt8]?

    /// The local host of a TCP connection (FrameClient.localHost); nil on a Unix socket.
    public var localHost: String? { connection.localHost }

    /// What a client waits for the node when nobody says otherwise, in seconds.
    public static let defaultTimeout = FrameClient.defaultTimeout

    /// `timeout`: seconds each wait for the node may last (nil: no limit, for subscribers).
    public init(path: String, key: P256PrivateKey? = nil, certificateDER: [UInt8]? = nil,
                timeout: Double? = FrameClient.defaultTimeout) throws {
        self.path = path
        self.key = key
        self.certificateDER = certificateDER
        connection = try FrameClient(path: path, maximumFrameSize: 64 << 20, timeout: timeout,
                                     connectTimeout: min(timeout ?? FrameClient.defaultTimeout, FrameClient.defaultTimeout))
    }

    /// The same conversation over TCP with mutual TLS 1.3 to a node's listener (docs/NETWORK.md).
    public init(host: String, port: Int, identity: TLSClientIdentity, key: P256PrivateKey? = nil, certificateDER: [UInt8]? = nil,
                timeout: Double? = FrameClient.defaultTimeout) throws {
        self.key = key
        self.certificateDER = certificateDER
        connection = try FrameClient(host: host, port: port, identity: identity, maximumFrameSize: 64 << 20, timeout: timeout,
                                     connectTimeout: min(timeout ?? FrameClient.defaultTimeout, FrameClient.defaultTimeout))
        path = connection.path
    }

    /// Seconds each wait for the node may last from now on; nil waits without limit.
    public var timeout: Double? {
        get { connection.timeout }
        set { connection.timeout = newValue }
    }

    /// Ends the connection; wakes a thread blocked in `receive()` on it.
    public func close() { connection.close() }

    public func makeRequest(_ op: String, channel: String?) -> NodeRequest {
        NodeRequest(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, op: op, channel: channel)
    }

    /// Signs a read with the participant's certificate and key.
    public func sign(_ request: inout NodeRequest) throws {
        guard let key, let certificateDER else { return }
        let timestamp = UInt64(Date().timeIntervalSince1970 * 1000)
        let signature = try key.signature(for: ReadAuthorization.signedBytes(subject: request.readSubject, timestamp: timestamp))
        request.auth = ReadAuthorization(certificate: Data(certificateDER).base64EncodedString(), timestamp: timestamp,
                                         signature: Data(signature).base64EncodedString())
    }

    public func send(_ request: NodeRequest) throws {
        if let frame = Self.submitFrame(request) {
            try connection.send(frame)
        } else {
            try connection.send(Array(try JSONEncoder().encode(request)))
        }
    }

    /// Submissions are the bulk of the traffic: their JSON is written directly (base64 and
    /// a checked channel name need no escaping), which keeps a batch client's CPU for signing.
    static func submitFrame(_ request: NodeRequest) -> [UInt8]? {
        guard request.op == "submit", let tx = request.tx, let channel = request.channel,
              request.auth == nil, channel.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != 0x22 && $0 != 0x5c }) else { return nil }
        var json = "{\"id\":\(request.id),\"op\":\"submit\",\"channel\":\"\(channel)\",\"tx\":\"\(tx)\""
        if let wait = request.wait { json += ",\"wait\":\(wait)" }
        json += "}"
        return Array(json.utf8)
    }

    public func receive() throws -> NodeResponse {
        let frame = try connection.receive()
        do {
            return try JSONDecoder().decode(NodeResponse.self, from: Data(frame))
        } catch {
            throw NodeClientError("malformed response from \(quoted(path))")
        }
    }

    /// One request, one response.
    public func call(_ request: NodeRequest) throws -> NodeResponse {
        try send(request)
        while true {
            let response = try receive()
            if response.id == request.id || response.id == 0 { return response }
        }
    }
}

public struct NodeClientError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
