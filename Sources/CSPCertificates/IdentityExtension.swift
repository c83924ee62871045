import CSPBasics

/// csp's identity extension: role, organisation and attributes, read by the node to
/// enforce policy. Non-critical, so other X.509 software ignores it.
///
///     CSPIdentity ::= SEQUENCE {
///         version       INTEGER (1),
///         role          UTF8String,
///         organization  UTF8String,
///         attributes    SEQUENCE OF SEQUENCE { name UTF8String, value UTF8String } }
///
/// Attributes are sorted by the bytes of their names and unique, so one value has
/// exactly one encoding and a certificate's bytes never depend on dictionary order.
public struct IdentityExtension: Equatable, Sendable {
    /// A UUID OID (ITU-T X.667 arc 2.25): unique without registration.
    public static let oid = "2.25.146732945692707920865366127790690705180"

    public var role: String
    public var organization: String
    public var attributes: [String: String]

    public init(role: String, organization: String, attributes: [String: String] = [:]) {
        self.role = role
        self.organization = organization
        self.attributes = attributes
    }

    public func derEncoded() -> [UInt8] {
        var list = DER.Writer()
        for (name, value) in attributes.sorted(by: { Self.precedes(Array($0.key.utf8), Array($1.key.utf8)) }) {
            var pair = DER.Writer()
            pair.append(utf8: name)
            pair.append(utf8: value)
            list.append(tag: DER.sequence, content: pair.bytes)
        }
        var fields = DER.Writer()
        fields.append(tag: DER.integer, content: [1])
        fields.append(utf8: role)
        fields.append(utf8: organization)
        fields.append(tag: DER.sequence, content: list.bytes)
        var outer = DER.Writer()
        outer.append(tag: DER.sequence, content: fields.bytes)
        return outer.bytes
    }

    /// Strict: anything but the one DER encoding of a version-1 value is refused, so two
    /// different byte strings never mean the same identity.
    public init(der: [UInt8]) throws {
        do throws(DER.Failure) {
            var outer = DER.Reader(der[...])
            let body = try outer.read(tag: DER.sequence, "identity")
            guard outer.isAtEnd else { throw DER.Failure("trailing bytes after the identity") }
            var fields = DER.Reader(body)
            let version = try fields.read(tag: DER.integer, "version")
            guard Array(version) == [1] else { throw DER.Failure("unsupported version (expected 1)") }
            role = try fields.readUTF8("role")
            organization = try fields.readUTF8("organization")
            var list = DER.Reader(try fields.read(tag: DER.sequence, "attributes"))
            guard fields.isAtEnd else { throw DER.Failure("unexpected fields after the attributes") }
            attributes = [:]
            var previous: [UInt8]?
            while !list.isAtEnd {
                var pair = DER.Reader(try list.read(tag: DER.sequence, "attribute"))
                let name = try pair.readUTF8("attribute name")
                let value = try pair.readUTF8("attribute value")
                guard pair.isAtEnd else { throw DER.Failure("attribute \(quoted(name)) has extra fields") }
                let bytes = Array(name.utf8)
                if let previous, !Self.precedes(previous, bytes) {
                    throw DER.Failure(previous == bytes ? "duplicate attribute \(quoted(name))" : "attributes are not sorted by name")
                }
                // Distinct bytes can still be equal Swift strings (NFC against NFD).
                guard attributes.updateValue(value, forKey: name) == nil else {
                    throw DER.Failure("duplicate attribute \(quoted(name))")
                }
                previous = bytes
            }
        } catch {
            throw CertificateError.malformed("identity extension", error.reason)
        }
    }

    private static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
}
