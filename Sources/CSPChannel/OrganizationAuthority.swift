import CSPBasics
import CSPCertificates
import CSPCrypto

/// One member organisation's certificate authority, parsed and checked: its CA
/// certificates with the parent of each, the CRL of each, and a trust store holding
/// only this organisation's CAs.
///
/// The store is per organisation on purpose: a creator is verified against the store
/// of the organisation its identity extension names, so a certificate that another
/// member's CA issued cannot speak for this one, whatever it claims.
///
/// Revocation is not left to libcrypto. The CRLs in the configuration are the channel's
/// record of what is revoked and stay in force until config.set-crl replaces them,
/// whatever their nextUpdate says: a CA that forgets to publish a fresh CRL (csp-ca's
/// last for 7 days) must not lock its members, or the admins who would fix it, out of
/// the channel. Checking serials here also keeps the answer independent of the clock.
final class OrganizationAuthority: @unchecked Sendable {
    // @unchecked: every property is set in init and only read afterwards; Certificate,
    // CertificateRevocationList and TrustStore are themselves safe to share.
    let name: String
    /// The CA certificates, in the order the configuration lists them, without repeats.
    let certificates: [Certificate]
    /// Index of the certificate that issued certificates[i]; nil for a self-signed root.
    let parents: [Int?]
    /// The CRL of certificates[i], as this organisation lists it.
    let crls: [CertificateRevocationList]
    let store: TrustStore

    init(_ organization: Organization) throws(ChannelConfigError) {
        let name = organization.name
        func fail(_ problem: String) -> ChannelConfigError {
            ChannelConfigError("organization \(quoted(name)): \(problem)")
        }
        self.name = name

        guard !organization.certificates.isEmpty else { throw fail("no CA certificate") }
        var certificates: [Certificate] = []
        for (index, pem) in organization.certificates.enumerated() {
            let parsed: [Certificate]
            do { parsed = try Certificate.all(pem: Array(pem.utf8)) } catch {
                throw fail("certificate \(index + 1): \(error)")
            }
            for certificate in parsed {
                guard certificate.isCA else {
                    throw fail("certificate \(quoted(certificate.subject.description)) is not a CA certificate")
                }
                guard !certificates.contains(certificate) else {
                    throw fail("CA certificate \(quoted(certificate.subject.description)) is listed twice")
                }
                certificates.append(certificate)
            }
        }

        // Every CA must chain, inside this list, to a self-signed root: the list is the
        // organisation's whole trust path, with nothing borrowed from another member.
        var parents: [Int?] = []
        for certificate in certificates {
            if certificate.isSelfSigned {
                parents.append(nil)
            } else if let parent = Self.issuer(of: certificate, among: certificates) {
                parents.append(parent)
            } else {
                throw fail("CA certificate \(quoted(certificate.subject.description)) is not issued by another of its CA certificates (list the chain up to the self-signed root)")
            }
        }
        for start in certificates.indices {
            var current = start
            var steps = 0
            while let parent = parents[current] {
                current = parent
                steps += 1
                guard steps <= certificates.count else {
                    throw fail("CA certificate \(quoted(certificates[start].subject.description)) does not chain to a self-signed root")
                }
            }
        }

        var lists: [CertificateRevocationList] = []
        for (index, pem) in organization.crls.enumerated() {
            let blocks = PEMText.blocks(pem, label: "X509 CRL")
            guard !blocks.isEmpty else { throw fail("CRL \(index + 1): no X509 CRL block found in PEM input") }
            for block in blocks {
                do { lists.append(try CertificateRevocationList(pem: Array(block.utf8))) } catch {
                    throw fail("CRL \(index + 1): \(error)")
                }
            }
        }
        var crlOf = [CertificateRevocationList?](repeating: nil, count: certificates.count)
        for (index, list) in lists.enumerated() {
            let signers = certificates.indices.filter { certificates[$0].subject == list.issuer && list.isSigned(by: certificates[$0]) }
            guard !signers.isEmpty else {
                throw fail("CRL \(index + 1) (issuer \(quoted(list.issuer.description))) is not signed by any of its CA certificates")
            }
            // set-crl accepts only a higher number, so every list needs one.
            guard list.number != nil else { throw fail("CRL \(index + 1) has no CRL number") }
            for signer in signers {
                guard crlOf[signer] == nil else {
                    throw fail("CA \(quoted(certificates[signer].subject.description)) has more than one CRL (keep only the newest)")
                }
                crlOf[signer] = list
            }
        }
        var crls: [CertificateRevocationList] = []
        for (index, list) in crlOf.enumerated() {
            guard let list else {
                throw fail("CA \(quoted(certificates[index].subject.description)) has no CRL (csp-ca keeps its current one in crl.pem)")
            }
            crls.append(list)
        }

        self.certificates = certificates
        self.parents = parents
        self.crls = crls
        let roots = certificates.indices.filter { parents[$0] == nil }.map { certificates[$0] }
        let intermediates = certificates.indices.filter { parents[$0] != nil }.map { certificates[$0] }
        self.store = TrustStore(roots: roots, intermediates: intermediates, checkRevocation: false)
    }

    /// The CA of this organisation that signed `certificate`: same name as its issuer,
    /// and its key verifies the signature. nil when none did.
    func issuer(of certificate: Certificate) -> Int? {
        Self.issuer(of: certificate, among: certificates)
    }

    private static func issuer(of certificate: Certificate, among candidates: [Certificate]) -> Int? {
        candidates.indices.first { index in
            candidates[index] != certificate && candidates[index].subject == certificate.issuer && certificate.isIssued(by: candidates[index])
        }
    }

    /// The CRL of this organisation's CA `index`.
    func crl(of index: Int) -> CertificateRevocationList { crls[index] }

    /// Why a certificate issued by CA `issuer` is revoked, or nil: its own serial on its
    /// issuer's list, or any CA above it on its parent's list. `listFor` picks the list
    /// in force for a CA (the channel takes the newest any member supplied).
    func revocation(of certificate: Certificate, issuer: Int,
                    listFor: (Certificate) -> CertificateRevocationList) -> String? {
        if let reason = listFor(certificates[issuer]).reason(forSerial: certificate.serial) {
            return "certificate serial \(certificate.serialHex) is revoked by \(quoted(certificates[issuer].subject.description))\(Self.describe(reason))"
        }
        var current = issuer
        var steps = 0
        while let parent = parents[current], steps <= certificates.count {
            if let reason = listFor(certificates[parent]).reason(forSerial: certificates[current].serial) {
                return "issuing CA \(quoted(certificates[current].subject.description)) is revoked by \(quoted(certificates[parent].subject.description))\(Self.describe(reason))"
            }
            current = parent
            steps += 1
        }
        return nil
    }

    private static func describe(_ reason: RevocationReason) -> String {
        reason == .unspecified ? "" : " (\(reason.name))"
    }
}
