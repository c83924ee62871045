import CSPCertificates
import Foundation

/// Whether each certificate on an orderer's chain was revoked at a block's time, decided
/// from CRLs that the issuing CA itself signed (docs/FORMAT.md, "Proof file", step 6), so
/// a CRL is safe to carry in a proof or take from anyone.
struct RevocationCheck {
    let crls: [CertificateRevocationList]

    /// `path` runs from the orderer's certificate to the pinned CA; every certificate in
    /// it but the last is checked against its issuer's CRLs at `milliseconds`.
    func check(path: [Certificate], at milliseconds: UInt64, explain: (String) -> Void) throws {
        let time = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let when = UTCTime.format(milliseconds: milliseconds)
        for (position, (certificate, issuer)) in zip(path, path.dropFirst()).enumerated() {
            let what = position == 0 ? "the orderer certificate \(certificate.subject)" : "the CA certificate \(certificate.subject)"
            let signed = crls.filter { $0.issuer == issuer.subject && $0.isSigned(by: issuer) }
            let usable = signed.filter { $0.covers(certificate, at: milliseconds) }
            guard !usable.isEmpty else {
                throw ProofError.undecided(signed.isEmpty
                    ? "cannot tell whether \(what) was revoked at \(when): no CRL signed by \(issuer.subject) (give one with --crl)"
                    : "cannot tell whether \(what) was revoked at \(when): no CRL of \(issuer.subject) was in force then or issued later (give a newer one with --crl)")
            }
            let serial = Array(certificate.serial.drop(while: { $0 == 0 }))
            for crl in usable {
                guard let entry = crl.revoked.first(where: { Array($0.serial.drop(while: { $0 == 0 })) == serial }) else { continue }
                let revokedAt = UTCTime.format(milliseconds: UInt64(max(0, entry.date.timeIntervalSince1970 * 1000)))
                // A compromised key can sign any time stamp: no signature by it counts, before or after.
                if [.keyCompromise, .caCompromise, .aaCompromise].contains(entry.reason) {
                    throw ProofError.mismatch("\(what) was revoked at \(revokedAt) because its key was compromised (\(entry.reason.name)): nothing it signed can be trusted")
                }
                if entry.date <= time {
                    throw ProofError.mismatch("\(what) was revoked at \(revokedAt) (\(entry.reason.name)), before block time \(when)")
                }
            }
            let newest = usable.max { ($0.number ?? 0, $0.thisUpdate) < ($1.number ?? 0, $1.thisUpdate) }!
            explain("\(certificate.subject) not revoked at \(when): CRL \(newest.number.map(String.init) ?? "?") of \(issuer.subject), issued \(UTCTime.format(milliseconds: UInt64(newest.thisUpdate.timeIntervalSince1970 * 1000)))")
        }
    }
}

extension CertificateRevocationList {
    /// Whether this CRL can say if `certificate` was revoked at `milliseconds`: it was in
    /// force then, or was issued later while the certificate was still unexpired, since
    /// a CA's CRL lists every unexpired certificate it revoked (RFC 5280 3.3). Whether it
    /// is the right CA's list is the caller's question.
    public func covers(_ certificate: Certificate, at milliseconds: UInt64) -> Bool {
        let time = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return thisUpdate <= time ? (nextUpdate.map { time <= $0 } ?? false) : thisUpdate <= certificate.notAfter
    }
}
