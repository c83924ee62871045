import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCertificates
import CSPCLI
import CSPCrypto
import CSPWire
import Foundation

/// Where a participant's request goes: a CA home this user can read (the CA signs in
/// this process), or `csp-ca serve` on a Unix socket.
public enum CAEndpoint {
    case home(String)
    case socket(String)

    /// Sends a request and returns the issued certificate and chain (PEM), or throws the
    /// CA's answer with its exit status.
    public func send(_ request: CARequest) throws -> CAResponse {
        let response: CAResponse
        switch self {
        case .home(let path):
            response = try CertificateAuthority(home: path).handle(request, actor: Actor.local)
        case .socket(let path):
            let client = try FrameClient(path: path, maximumFrameSize: 1 << 20)
            defer { client.close() }
            let reply = try client.request(Array(try JSONEncoder().encode(request)))
            do {
                response = try JSONDecoder().decode(CAResponse.self, from: Data(reply))
            } catch {
                throw CommandFailure("malformed response from \(quoted(path))")
            }
        }
        guard response.status == 0 else {
            throw CommandFailure(response.error ?? "the CA refused", status: response.status == 1 ? .no : .failure)
        }
        return response
    }
}

/// The files a participant keeps: key.pem (0600), cert.pem, ca-chain.pem, in a 0700 folder.
enum ParticipantFiles {
    static func write(to directory: String, key: P256PrivateKey?, certificate: String, chain: String) throws {
        try FileIO.makeDirectory(directory, mode: 0o700)
        // The key goes first: a certificate without its key would be useless.
        if let key { try key.write(to: directory + "/key.pem") }
        try FileIO.writeAtomically(directory + "/cert.pem", text: certificate)
        try FileIO.writeAtomically(directory + "/ca-chain.pem", text: chain)
    }

    /// JSON and text lines describing an issued certificate.
    static func describe(_ pem: String, directory: String, output: Output) throws {
        let certificate = try Certificate(pem: Array(pem.utf8))
        output.emit(json: ["id": .string(certificate.subject.commonName), "serial": .string(certificate.serialHex),
                           "not_after": .string(ISO8601DateFormatter().string(from: certificate.notAfter)),
                           "directory": .string(directory)],
                    text: "enrolled '\(certificate.subject.commonName)': serial \(certificate.serialHex), valid until \(ISO8601DateFormatter().string(from: certificate.notAfter)), files in \(directory)")
    }
}

/// Options naming the CA a participant talks to.
struct CAEndpointOptions: ParsableArguments {
    @Option(name: .customLong("ca"), help: ArgumentHelp("A CA home folder readable by this user (the CA signs in this process).", valueName: "dir"), completion: .directory)
    var caHome: String?

    @Option(name: .customLong("ca-socket"), help: ArgumentHelp("The socket of 'csp-ca serve'.", valueName: "path"), completion: .file())
    var caSocket: String?

    func validate() throws {
        if (caHome == nil) == (caSocket == nil) { throw ValidationError("give exactly one of --ca <dir> and --ca-socket <path>") }
    }

    var endpoint: CAEndpoint { caHome.map(CAEndpoint.home) ?? .socket(caSocket!) }
}
