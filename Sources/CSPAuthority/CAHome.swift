import CSPBasics
import Foundation

/// The files of a CA home folder (mode 0700):
///
///     ca.json        configuration
///     ca-key.pem     the CA's private key (0600); never leaves this folder
///     ca-cert.pem    the CA's certificate
///     ca-chain.pem   the CA's certificate, then its parents' up to the root
///     crl.pem        the newest CRL
///     registry.db    identities, certificates, revocations, audit log (SQLite)
public struct CAHome: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var config: String { path + "/ca.json" }
    public var key: String { path + "/ca-key.pem" }
    public var certificate: String { path + "/ca-cert.pem" }
    public var chain: String { path + "/ca-chain.pem" }
    public var crl: String { path + "/crl.pem" }
    public var registry: String { path + "/registry.db" }

    public var exists: Bool { FileIO.exists(config) }

    /// Refuses a home that others can read or a key file that is not 0600, as ssh does:
    /// a CA key that has been exposed must not sign anything more.
    public func checkPermissions() throws {
        guard FileIO.isDirectory(path) else {
            throw CAFailure("no CA in \(quoted(path)): run 'csp-ca init --home \(path)' first")
        }
        guard exists else {
            throw CAFailure("no CA in \(quoted(path)): \(quoted(config)) is missing; run 'csp-ca init' first")
        }
        if let mode = FileIO.mode(path), mode & 0o077 != 0 {
            throw CAFailure("CA home \(quoted(path)) has mode \(String(mode, radix: 8)); it must be 0700 (chmod 700 '\(path)')")
        }
        if let mode = FileIO.mode(key), mode & 0o077 != 0 {
            throw CAFailure("CA key \(quoted(key)) has mode \(String(mode, radix: 8)); it must be 0600 (chmod 600 '\(key)')")
        }
    }
}

/// What `csp-ca init` decided, kept in ca.json.
public struct CAConfig: Codable, Equatable, Sendable {
    public var organization: String
    public var commonName: String
    /// Default validity of the certificates this CA issues to participants.
    public var leafValidityDays: Int
    /// How long a CRL stays current (its nextUpdate).
    public var crlValidityDays: Int
    /// Wrong secrets an identity may try before its secret is locked.
    public var maxFailedAttempts: Int

    public init(organization: String, commonName: String, leafValidityDays: Int = 365,
                crlValidityDays: Int = 7, maxFailedAttempts: Int = 5) {
        self.organization = organization
        self.commonName = commonName
        self.leafValidityDays = leafValidityDays
        self.crlValidityDays = crlValidityDays
        self.maxFailedAttempts = maxFailedAttempts
    }

    static func load(_ path: String) throws -> CAConfig {
        do {
            return try JSONDecoder().decode(CAConfig.self, from: Data(try FileIO.read(path, limit: 1 << 20)))
        } catch let error as SystemError {
            throw CAFailure(error.description)
        } catch {
            throw CAFailure("malformed CA configuration \(quoted(path))")
        }
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileIO.writeAtomically(path, Array(try encoder.encode(self)) + [0x0a], mode: 0o600)
    }
}
