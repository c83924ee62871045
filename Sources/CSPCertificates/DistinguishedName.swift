/// The subject or issuer of a certificate as csp names parties: organisation,
/// organisational unit and common name. Other attributes (C, ST, L…) in certificates
/// from elsewhere are not represented and are ignored when reading.
public struct DistinguishedName: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var organization: String?
    public var organizationalUnit: String?
    public var commonName: String

    public init(organization: String? = nil, organizationalUnit: String? = nil, commonName: String) {
        self.organization = organization
        self.organizationalUnit = organizationalUnit
        self.commonName = commonName
    }

    /// RFC 5280's upper bound for each of the three attributes, in characters.
    static let maximumLength = 64

    /// "O=Acme, OU=customer, CN=alice"; a comma or backslash inside a value is escaped
    /// with a backslash so the text splits back unambiguously.
    public var description: String {
        var parts: [String] = []
        if let organization { parts.append("O=" + Self.escape(organization)) }
        if let organizationalUnit { parts.append("OU=" + Self.escape(organizationalUnit)) }
        parts.append("CN=" + Self.escape(commonName))
        return parts.joined(separator: ", ")
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            if character == "," || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// The components in certificate order, each with the name used in errors.
    var components: [(label: String, value: String)] {
        var out: [(String, String)] = []
        if let organization { out.append(("organization", organization)) }
        if let organizationalUnit { out.append(("organizational unit", organizationalUnit)) }
        out.append(("common name", commonName))
        return out
    }

    /// Refuses what libcrypto would refuse with a less helpful message.
    func validate() throws {
        for (label, value) in components {
            if value.isEmpty {
                throw CertificateError("subject \(label) must not be empty")
            }
            if value.unicodeScalars.count > Self.maximumLength {
                throw CertificateError("subject \(label) is longer than \(Self.maximumLength) characters")
            }
            if value.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw CertificateError("subject \(label) contains a NUL character")
            }
        }
    }
}
