import ArgumentParser
import CSPBasics
import CSPCertificates
import CSPChannel
import CSPCLI
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import CSPWire
import Foundation

/// The channel a command talks to.
struct ChannelOption: ParsableArguments {
    @Option(name: .long, help: "The channel (default: $CSP_CHANNEL).")
    var channel: String?

    var resolved: String {
        get throws {
            if let channel, !channel.isEmpty { return channel }
            if let env = Environment.value("CSP_CHANNEL"), !env.isEmpty { return env }
            throw CommandFailure("no channel: give --channel or set CSP_CHANNEL", status: .usage)
        }
    }
}

/// How long a read waits for the node.
struct ReadTimeoutOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.", valueName: "duration"))
    var timeout = WaitTimeout(argument: "30s")!

    /// nil for no limit, as NodeClient takes it.
    var limit: Double? { timeout.limit }
}

/// How long a command that submits waits for the node's answer; on expiry the outcome is
/// unknown and the command exits 75.
struct CommitTimeoutOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.", valueName: "duration"))
    var timeout = WaitTimeout(argument: "5m")!

    var limit: Double? { timeout.limit }
}

/// `--once KEY`: the transaction takes effect at most once for this identity and key on
/// the channel (docs/CHANNELS.md, "Submitting once").
struct OnceOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("An idempotency key recorded on chain: a retry with the same key by the same identity takes no second effect and is answered with the first transaction's id and block (1-128 of A-Z a-z 0-9 . _ : @ + -).", valueName: "key"))
    var once: String?

    func validate() throws {
        if let once, let problem = OnceKeys.problem(once) { throw ValidationError(problem) }
    }

    /// The reserved argument, when a key is given.
    var argument: TransactionArgument? { once.map { TransactionArgument(name: TransactionBody.onceArgument, text: $0) } }
}

/// The identity in --home: the key that signs and the certificate that names it.
struct Participant {
    let home: String
    let key: P256PrivateKey
    let certificate: Certificate

    init(home: String) throws {
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
    func transaction(channel: String, contract: String, function: String, arguments: [TransactionArgument]) throws -> Transaction {
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
    func identity() throws -> LedgerIdentity {
        let identity: IdentityExtension?
        do { identity = try certificate.identity } catch { throw CommandFailure("the certificate in --home: \(error)") }
        guard let identity else { throw CommandFailure("the certificate in --home has no csp identity (role and organisation)") }
        return LedgerIdentity(organization: identity.organization, id: certificate.subject.commonName, role: identity.role)
    }

    /// A connection to the node; `timeout` bounds each wait for it (nil: no limit). With
    /// $CSP_NODE (HOST:PORT) it is TCP with mutual TLS to that node's listener, presenting
    /// this identity and trusting the CAs in $CSP_NODE_CA, else <home>/ca-chain.pem
    /// (docs/NETWORK.md); --socket is then not used.
    func client(socket: String, timeout: Double?) throws -> NodeClient {
        guard let node = Environment.value("CSP_NODE"), !node.isEmpty else {
            return try NodeClient(path: socket, key: key, certificateDER: certificate.der, timeout: timeout)
        }
        guard let (host, port) = NetworkAddress.parse(node) else {
            throw CommandFailure("CSP_NODE \(quoted(node)) is not HOST:PORT", status: .usage)
        }
        let trusted = Environment.value("CSP_NODE_CA").flatMap { $0.isEmpty ? nil : $0 } ?? home + "/ca-chain.pem"
        let identity = TLSClientIdentity(certificate: home + "/cert.pem", key: home + "/key.pem", trusted: trusted)
        return try NodeClient(host: host, port: port, identity: identity, key: key, certificateDER: certificate.der, timeout: timeout)
    }
}

/// An account's name, role and organisation.
struct LedgerIdentity: Equatable {
    let organization: String
    let id: String
    let role: String

    var account: String { "\(organization)/\(id)" }
}

/// Turns a node response into the tool's exit status, or throws its error line.
func check(_ response: NodeResponse) throws {
    guard response.status == 0 else {
        throw CommandFailure(response.error ?? "the node answered status \(response.status)",
                             status: response.status == 1 ? .no : .failure)
    }
}
