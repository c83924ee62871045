/// The roles csp knows. The identity extension carries the raw string so a newer
/// issuer's role still parses; the trust store refuses roles that are not listed here.
public enum CertificateRole: String, CaseIterable, Sendable {
    case customer, enterprise, department, regulator, node, admin
}
