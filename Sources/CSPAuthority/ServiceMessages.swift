import Foundation

/// The messages of `csp-ca serve` (docs/PROTOCOL.md, "Enrollment service"): one JSON
/// object per frame, one response per request, in order.
public struct CARequest: Codable, Equatable, Sendable {
    /// "enroll", "reenroll" or "chain".
    public var op: String
    public var id: String?
    public var secret: String?
    /// PEM certificate request.
    public var csr: String?
    /// PEM of the current certificate (reenroll).
    public var certificate: String?
    /// Milliseconds since the epoch (reenroll).
    public var timestamp: UInt64?
    /// Hex DER signature by the current key over `Reenrollment.digest` (reenroll).
    public var proof: String?

    public init(op: String, id: String? = nil, secret: String? = nil, csr: String? = nil,
                certificate: String? = nil, timestamp: UInt64? = nil, proof: String? = nil) {
        self.op = op
        self.id = id
        self.secret = secret
        self.csr = csr
        self.certificate = certificate
        self.timestamp = timestamp
        self.proof = proof
    }
}

public struct CAResponse: Codable, Equatable, Sendable {
    /// An exit status: 0 done, 1 refused, 2 could not answer.
    public var status: Int32
    public var error: String?
    /// PEM of the issued certificate.
    public var certificate: String?
    /// PEM of the CA chain, issuing CA first.
    public var chain: String?
    /// PEM of the newest CRL ("chain").
    public var crl: String?

    public init(status: Int32, error: String? = nil, certificate: String? = nil, chain: String? = nil, crl: String? = nil) {
        self.status = status
        self.error = error
        self.certificate = certificate
        self.chain = chain
        self.crl = crl
    }
}
