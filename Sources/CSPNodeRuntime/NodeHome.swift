import CSPBasics
#if canImport(Glibc)
import Glibc
#endif
import CSPCertificates
import CSPCrypto
import Foundation

/// A node's home folder (0750):
///
///     key.pem, cert.pem, ca-chain.pem   the node's identity (csp-ca enroll, role node)
///     channels/<name>/                  one ledger per channel (blocks/, index/; docs/STORAGE.md)
///     node.sock                         the client socket (0660) while the node runs
///     node.conf                         the node's settings (NodeSettings; docs/NETWORK.md)
public struct NodeHome: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var key: String { path + "/key.pem" }
    public var certificate: String { path + "/cert.pem" }
    public var channels: String { path + "/channels" }
    public var socket: String { path + "/node.sock" }
    public var settings: String { path + "/" + NodeSettings.fileName }
    /// A path from the settings file: relative ones are inside the home.
    public func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : path + "/" + file }
    public func channel(_ name: String) -> String { channels + "/" + name }

    /// The channels this node hosts, by folder name.
    public func channelNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: channels)) ?? [])
            .filter { FileIO.isDirectory(channel($0)) && !$0.hasPrefix(".") }
            .sorted()
    }

    /// The node's signing identity: its key, the certificate that must match it, and
    /// the role `node` in the certificate's identity extension, so a customer's or an
    /// admin's certificate left in a home never signs blocks.
    public func identity() throws -> NodeIdentity {
        guard FileIO.exists(key), FileIO.exists(certificate) else {
            throw NodeError("no node identity in \(quoted(path)): enroll one with 'csp-ca enroll ID --out \(path)' (role node)")
        }
        let key = try P256PrivateKey(pemFile: self.key)
        let certificate = try Certificate(pemFile: self.certificate)
        guard try certificate.publicKey == key.publicKey else {
            throw NodeError("\(quoted(self.key)) does not match \(quoted(self.certificate))")
        }
        let role: String
        do {
            guard let identity = try certificate.identity else {
                throw NodeError("\(quoted(self.certificate)) carries no csp identity extension, so no role: a node needs a certificate with role node (csp-ca register ID --role node)")
            }
            role = identity.role
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError("\(quoted(self.certificate)) has a malformed identity extension: \(error)")
        }
        guard role == CertificateRole.node.rawValue else {
            throw NodeError("\(quoted(self.certificate)) has role \(quoted(role)), not 'node': only a node certificate may sign blocks (csp-ca register ID --role node)")
        }
        return NodeIdentity(key: key, certificate: certificate)
    }

    /// The home is 0750 so the group the socket is shared with can reach it (an
    /// enrollment may have created it 0700); the key inside stays 0600.
    public func prepare() throws {
        try FileIO.makeDirectory(path, mode: 0o750)
        try FileIO.makeDirectory(channels, mode: 0o750)
        guard chmod(path, 0o750) == 0 else { throw SystemError("cannot set permissions of \(quoted(path))") }
    }
}

public struct NodeIdentity: Sendable {
    public let key: P256PrivateKey
    public let certificate: Certificate
}

/// A node failure worded for the operator; exit 2 unless it is a refusal.
public struct NodeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
