import ArgumentParser
import CSPBasics
import CSPCertificates
import CSPCLI
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import CSPWire
import Foundation

/// The channel a command talks to.
public struct ChannelOption: ParsableArguments {
    public init() {}

    @Option(name: .long, help: "The channel (default: $CSP_CHANNEL, else 'channel' in <home>/config).",
            completion: .shellCommand("csp-node channels 2>/dev/null"))
    public var channel: String?

    @Option(name: .long, help: ArgumentHelp("Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).", valueName: "host:port"))
    public var node: String?

    /// Records --node for `Participant.client`, which every command of the channel uses;
    /// a value that is not HOST:PORT is a usage error before anything else is looked at
    /// (the identity, the channel).
    public func validate() throws {
        guard let node else { return }
        guard NetworkAddress.parse(node) != nil else { throw ValidationError("--node \(quoted(node)) is not HOST:PORT") }
        Participant.nodeFlag.value = node
    }

    public var resolved: String {
        get throws {
            guard let channel = HomeConfiguration.channel(flag: channel) else {
                throw CommandFailure(HomeConfiguration.noChannelMessage, status: .usage)
            }
            return channel
        }
    }
}

/// How long a read waits for the node.
public struct ReadTimeoutOption: ParsableArguments {
    public init() {}

    @Option(name: .long, help: ArgumentHelp("How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.", valueName: "duration"))
    public var timeout = WaitTimeout(argument: "30s")!

    /// nil for no limit, as NodeClient takes it.
    public var limit: Double? { timeout.limit }
}

/// The identity in --home: the key that signs and the certificate that names it.
public struct Participant {
    public let home: String
    public let key: P256PrivateKey
    public let certificate: Certificate

    public init(home: String) throws {
        self.home = home
        let keyPath = home + "/key.pem", certificatePath = home + "/cert.pem"
        guard FileIO.exists(keyPath), FileIO.exists(certificatePath) else {
            throw CommandFailure("no identity in \(quoted(home)): enroll with 'csp-ca enroll ID --out \(home)'")
        }
        key = try P256PrivateKey(pemFile: keyPath)
        do {
            certificate = try Certificate(pemFile: certificatePath)
        } catch let error as SystemError { throw error }
        guard try certificate.publicKey == key.publicKey else {
            throw CommandFailure("\(quoted(keyPath)) does not match \(quoted(certificatePath))")
        }
    }

    /// A signed transaction calling `contract.function` with `arguments`.
    public func transaction(channel: String, contract: String, function: String, arguments: [TransactionArgument]) throws -> Transaction {
        let body: TransactionBody
        do {
            body = try TransactionBody(channel: channel, timestamp: UInt64(Date().timeIntervalSince1970 * 1000),
                                       nonce: try SecureRandom.bytes(16), creator: certificate.der,
                                       contract: contract, function: function, arguments: arguments)
        } catch let error as FormatError {
            throw CommandFailure(error.reason)
        }
        return try Transaction(signing: body, with: key)
    }

    /// Who this participant is on the ledger, as its certificate's identity extension
    /// says: the account (ORGANIZATION/CN), role and organisation that operators,
    /// parties and the todo index name.
    public func identity() throws -> LedgerIdentity {
        let identity: IdentityExtension?
        do { identity = try certificate.identity } catch { throw CommandFailure("the certificate in --home: \(error)") }
        guard let identity else { throw CommandFailure("the certificate in --home has no csp identity (role and organisation)") }
        return LedgerIdentity(organization: identity.organization, id: certificate.subject.commonName, role: identity.role)
    }

    /// --node as parsed (ChannelOption): a process-wide setting like the socket's origin.
    static let nodeFlag = Locked<String?>(nil)

    /// A connection to the node; `timeout` bounds each wait for it (nil: no limit). With
    /// --node or $CSP_NODE (HOST:PORT) it is TCP with mutual TLS to that node's listener, presenting
    /// this identity and trusting the CAs in $CSP_NODE_CA, else <home>/ca-chain.pem
    /// (docs/NETWORK.md); --socket is then not used. `node` is a HOST:PORT given by a
    /// command that declares its own --node rather than ChannelOption's.
    public func client(socket: String, timeout: Double?, node: String? = nil) throws -> NodeClient {
        let flag = node ?? Self.nodeFlag.value
        guard let node = flag ?? Environment.value("CSP_NODE"), !node.isEmpty else {
            do { return try NodeClient(path: socket, key: key, certificateDER: certificate.der, timeout: timeout) } catch {
                throw GlobalOptions.cannotConnect(error, socket: socket)
            }
        }
        guard let (host, port) = NetworkAddress.parse(node) else {
            throw CommandFailure("\(flag == nil ? "CSP_NODE" : "--node") \(quoted(node)) is not HOST:PORT", status: .usage)
        }
        let trusted = Environment.value("CSP_NODE_CA").flatMap { $0.isEmpty ? nil : $0 } ?? home + "/ca-chain.pem"
        let identity = TLSClientIdentity(certificate: home + "/cert.pem", key: home + "/key.pem", trusted: trusted)
        return try NodeClient(host: host, port: port, identity: identity, key: key, certificateDER: certificate.der, timeout: timeout)
    }
}

/// An account's name, role and organisation.
public struct LedgerIdentity: Equatable {
    public let organization: String
    public let id: String
    public let role: String

    public init(organization: String, id: String, role: String) {
        self.organization = organization
        self.id = id
        self.role = role
    }

    public var account: String { "\(organization)/\(id)" }
}

/// Turns a node response into the tool's exit status, or throws its error line. An
/// answer the node marks suspect (its state forked from another node's) is warned about
/// on stderr, once, and ends the command with exit 2 after its output (`SuspectAnswer`).
public func check(_ response: NodeResponse) throws {
    if let suspect = response.suspect { SuspectAnswer.record(suspect) }
    if let unproven = response.unproven { UnprovenAnswer.record(unproven) }
    guard response.status == 0 else {
        throw CommandFailure(response.error ?? "the node answered status \(response.status)",
                             status: response.status == 1 ? .no : .failure)
    }
}
