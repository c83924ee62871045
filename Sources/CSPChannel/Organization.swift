import CSPContracts
/// A member of a channel: its name (what certificates carry in the identity extension)
/// and its certificate authority as PEM text.
public struct Organization: Codable, Equatable, Sendable {
    public var name: String
    /// The organisation's CA certificates: the CAs that issue its members' certificates
    /// and their parents up to a self-signed root. Each entry is PEM text and may hold
    /// several certificates (csp-ca's `ca-chain.pem` as it is). A certificate chains to
    /// the organisation only through these, so a CA of another organisation cannot
    /// issue identities in this one's name.
    public var certificates: [String]
    /// The current CRL of every CA above, PEM; one entry may hold several. Required for
    /// every CA: a missing list would read as "nothing revoked".
    public var crls: [String]

    public init(name: String, certificates: [String], crls: [String]) {
        self.name = name
        self.certificates = certificates
        self.crls = crls
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, certificates, crls
    }

    public init(from decoder: any Decoder) throws {
        try ConfigDecoding.rejectUnknownKeys(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        certificates = try container.decode([String].self, forKey: .certificates)
        // Absent rather than an error here, so validation can name the CA that lacks one.
        crls = try container.decodeIfPresent([String].self, forKey: .crls) ?? []
    }

    var jsonValue: CanonicalJSON.Value {
        .object([
            "name": .string(name),
            "certificates": .array(certificates.map(CanonicalJSON.Value.string)),
            "crls": .array(crls.map(CanonicalJSON.Value.string)),
        ])
    }
}
