import CSPCrypto
import Foundation

/// Who a verified certificate speaks for: what the node's policy needs, without the
/// certificate itself.
public struct VerifiedIdentity: Equatable, Sendable {
    public var subject: DistinguishedName
    /// From the identity extension; nil when the certificate has none.
    public var role: String?
    /// From the identity extension, else the subject's O.
    public var organization: String?
    public var attributes: [String: String]
    public var serialHex: String
    /// The certificate's own notAfter (the chain may end earlier).
    public var notAfter: Date
    public var fingerprint: SHA256Digest

    public init(subject: DistinguishedName, role: String?, organization: String?, attributes: [String: String],
                serialHex: String, notAfter: Date, fingerprint: SHA256Digest) {
        self.subject = subject
        self.role = role
        self.organization = organization
        self.attributes = attributes
        self.serialHex = serialHex
        self.notAfter = notAfter
        self.fingerprint = fingerprint
    }
}
