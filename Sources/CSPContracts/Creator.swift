/// Who signed a transaction, as the verified certificate says: what contracts and the
/// policy see of a creator.
public struct Creator: Equatable, Hashable, Sendable {
    /// From the identity extension, checked to match the CA that issued the certificate.
    public var organization: String
    /// The certificate's common name.
    public var id: String
    public var role: String
    public var attributes: [String: String]

    public init(organization: String, id: String, role: String, attributes: [String: String] = [:]) {
        self.organization = organization
        self.id = id
        self.role = role
        self.attributes = attributes
    }

    /// "ORGANIZATION/ID": the name the per-account index and `admins` use.
    public var account: String { "\(organization)/\(id)" }
}
