import Foundation

/// One entry of a revocation list.
public struct RevokedCertificate: Equatable, Sendable {
    /// Big-endian magnitude, as `Certificate.serial`.
    public var serial: [UInt8]
    /// When the certificate was revoked; whole seconds.
    public var date: Date
    public var reason: RevocationReason

    /// Upper-case hex, as the certificate's own `serialHex`.
    public var serialHex: String { Certificate.serialHex(serial) }

    public init(serial: [UInt8], date: Date, reason: RevocationReason = .unspecified) {
        self.serial = serial
        self.date = date
        self.reason = reason
    }
}
