import CSPCertificates

/// What a proof carries about the CAs above its orderer (docs/FORMAT.md, "Proof file",
/// `chain` and `crls`), chosen from the channel's configurations: revocation is judged as
/// of the block, with the CRLs of the configuration in force when it was validated.
public enum ProofTrust {
    /// One configuration of the channel: the block whose transaction set it (0 for the
    /// genesis), its CA certificates and CRLs.
    public struct Configuration {
        public let block: UInt64
        public let cas: [Certificate]
        public let crls: [CertificateRevocationList]

        public init(block: UInt64, cas: [Certificate], crls: [CertificateRevocationList]) {
            self.block = block
            self.cas = cas
            self.crls = crls
        }
    }

    /// For block `number`, signed by `orderer` at `time` (ms), given every configuration
    /// oldest first: the CA certificates from the orderer's issuer up (`path`), their CRLs
    /// in the configuration in force at the block (set by a block before it; block 0's
    /// own for block 0), and that configuration's self-signed CAs (`roots`). A CRL of that
    /// configuration that had lapsed by `time` shows nothing about it, so the first CRL of
    /// the same CA that a later configuration held and that covers `time` is added.
    public static func select(forBlock number: UInt64, orderer: Certificate, time: UInt64,
                              configurations: [Configuration]) -> (path: [Certificate], crls: [CertificateRevocationList], roots: [Certificate]) {
        guard let inForce = configurations.last(where: { $0.block < number || $0.block == 0 }) else { return ([], [], []) }
        var path: [Certificate] = []
        var current = orderer
        while !current.isSelfSigned, let issuer = inForce.cas.first(where: { current.isIssued(by: $0) && !path.contains($0) }) {
            path.append(issuer)
            current = issuer
        }
        var carried: [CertificateRevocationList] = []
        for (certificate, issuer) in zip([orderer] + path, path) {
            func ofIssuer(_ crl: CertificateRevocationList) -> Bool { crl.issuer == issuer.subject && crl.isSigned(by: issuer) }
            let own = inForce.crls.filter(ofIssuer)
            carried += own
            guard !own.contains(where: { $0.covers(certificate, at: time) }) else { continue }
            let later = configurations.lazy.filter { $0.block >= number }
                .compactMap { $0.crls.first { ofIssuer($0) && $0.covers(certificate, at: time) } }.first
            if let later, !carried.contains(where: { $0.der == later.der }) { carried.append(later) }
        }
        return (path, carried, inForce.cas.filter(\.isSelfSigned))
    }
}
