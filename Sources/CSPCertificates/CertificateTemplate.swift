import CSPBasics
import Foundation

/// What a new certificate says about its subject; the issuer adds the key, the issuer
/// name, the signature and the key identifiers.
public struct CertificateTemplate: Sendable {
    public var subject: DistinguishedName
    /// csp's identity extension (non-critical), usually on leaves only.
    public var identity: IdentityExtension?
    public var isCA: Bool
    /// basicConstraints pathlen; CA certificates only.
    public var pathLength: Int?
    /// Truncated to whole seconds, as X.509 stores them.
    public var notBefore: Date
    public var notAfter: Date
    /// Extended key usage serverAuth + clientAuth: node certificates used for TLS.
    public var serverAndClientAuth: Bool
    /// Big-endian magnitude, 1–20 bytes, not zero; nil draws a random one.
    public var serial: [UInt8]?

    public init(subject: DistinguishedName, identity: IdentityExtension? = nil, isCA: Bool = false,
                pathLength: Int? = nil, notBefore: Date, notAfter: Date,
                serverAndClientAuth: Bool = false, serial: [UInt8]? = nil) {
        self.subject = subject
        self.identity = identity
        self.isCA = isCA
        self.pathLength = pathLength
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.serverAndClientAuth = serverAndClientAuth
        self.serial = serial
    }

    /// Refuses templates that would make a certificate other software rejects.
    func validate() throws {
        try subject.validate()
        guard ASN1.seconds(notBefore) < ASN1.seconds(notAfter) else {
            throw CertificateError("notBefore \(iso8601(notBefore)) is not before notAfter \(iso8601(notAfter))")
        }
        if let pathLength {
            guard isCA else { throw CertificateError("a path length needs a CA certificate") }
            guard pathLength >= 0 else { throw CertificateError("path length \(pathLength) is negative") }
        }
        if let serial {
            // RFC 5280 4.1.2.2: positive, at most 20 octets.
            guard !serial.isEmpty, serial.contains(where: { $0 != 0 }) else {
                throw CertificateError("serial number must not be zero")
            }
            guard serial.drop(while: { $0 == 0 }).count <= 20 else {
                throw CertificateError("serial number \(Hex.encode(serial)) is longer than 20 bytes")
            }
        }
    }
}
