import CSPBasics
import CSPCertificates

/// Where `csp-node genesis` takes a configuration's PEM from: a CA home (csp-ca's
/// `ca-chain.pem`, else `ca-cert.pem`, and `crl.pem`), a node or participant home
/// (`cert.pem`), or PEM files. Certificates and CRLs are parsed and written back as
/// clean PEM, so stray text around the blocks and CRLF line ends never reach the ledger.
public enum GenesisSources {
    /// An organisation from a CA home or a PEM file holding its CA chain (and possibly its
    /// CRLs), plus CRL files given apart (a parent CA's, for an intermediate).
    public static func organization(name: String, source: String, crlFiles: [String]) throws -> Organization {
        var certificates: [Certificate]
        var crls: [String] = []
        if FileIO.isDirectory(source) {
            let chain = [source + "/ca-chain.pem", source + "/ca-cert.pem"].first(where: FileIO.exists)
            guard let chain else {
                throw ChannelConfigError("\(quoted(source)) is not a CA home: it holds neither ca-chain.pem nor ca-cert.pem (give the CA's folder, or its chain as a PEM file)")
            }
            certificates = try readCertificates(chain)
            let crl = source + "/crl.pem"
            guard FileIO.exists(crl) else {
                throw ChannelConfigError("no CRL in \(quoted(source)): \(quoted(crl)) is missing (run 'csp-ca crl --home \(source)', or give --crl \(name)=FILE)")
            }
            crls += try readCRLs(crl)
        } else {
            certificates = try readCertificates(source)
            crls += try readCRLs(source, required: false)
        }
        for file in crlFiles { crls += try readCRLs(file) }
        certificates = certificates.filter(\.isCA)
        guard !certificates.isEmpty else {
            throw ChannelConfigError("\(quoted(source)) holds no CA certificate: give the organisation's CA chain, not a member's certificate")
        }
        // One entry for the whole chain, as csp-ca's ca-chain.pem is; one per CRL, so each
        // gets its own comment and config.set-crl replaces exactly one.
        return Organization(name: name, certificates: [certificates.map { $0.pem() }.joined()], crls: Array(Set(crls)).sorted())
    }

    /// The orderer's certificate from a PEM file or a node home (its `cert.pem`).
    public static func certificate(source: String) throws -> String {
        let path = FileIO.isDirectory(source) ? source + "/cert.pem" : source
        guard FileIO.exists(path) else {
            throw ChannelConfigError(FileIO.isDirectory(source)
                ? "no certificate in \(quoted(source)): \(quoted(path)) is missing (enroll the node with 'csp-ca enroll ID --out \(source)')"
                : "cannot open \(quoted(path)): no such file or directory")
        }
        let certificates = try readCertificates(path)
        guard let leaf = certificates.first(where: { !$0.isCA }) else {
            throw ChannelConfigError("\(quoted(path)) holds only CA certificates: give the node's own certificate")
        }
        return leaf.pem()
    }

    private static func readCertificates(_ path: String) throws -> [Certificate] {
        do { return try Certificate.all(pemFile: path) } catch let error as SystemError {
            throw ChannelConfigError(error.description)
        } catch {
            throw ChannelConfigError("\(quoted(path)): \(error)")
        }
    }

    private static func readCRLs(_ path: String, required: Bool = true) throws -> [String] {
        let text: String
        do { text = String(decoding: try FileIO.read(path, limit: 64 << 20), as: UTF8.self) } catch {
            throw ChannelConfigError("\(error)")
        }
        let blocks = PEMText.blocks(text, label: "X509 CRL")
        if blocks.isEmpty && required { throw ChannelConfigError("\(quoted(path)) holds no X509 CRL block") }
        return try blocks.map { block in
            do { return try CertificateRevocationList(pem: Array(block.utf8)).pem() } catch {
                throw ChannelConfigError("\(quoted(path)): \(error)")
            }
        }
    }
}
