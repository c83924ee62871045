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
    /// The socket, and the seconds to wait for the server to accept and to answer.
    case socket(String, timeout: Double)

    /// Sends a request and returns the issued certificate and chain (PEM), or throws the
    /// CA's answer with its exit status.
    public func send(_ request: CARequest) throws -> CAResponse {
        let response: CAResponse
        switch self {
        case .home(let path):
            response = try CertificateAuthority(home: path).handle(request, actor: Actor.local)
        case .socket(let path, let timeout):
            let client = try FrameClient(path: path, maximumFrameSize: 1 << 20, timeout: timeout, connectTimeout: timeout)
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
/// Each is written atomically (a temporary file renamed over the old one).
enum ParticipantFiles {
    /// Makes sure `directory` is a folder this process can create files in (creating it
    /// 0700 when missing), before anything is asked of the CA: a failure here costs nothing.
    static func prepare(_ directory: String) throws {
        if FileIO.exists(directory) && !FileIO.isDirectory(directory) {
            throw CommandFailure("cannot write into \(quoted(directory)): not a folder")
        }
        try FileIO.makeDirectory(directory, mode: 0o700)
        // Permission bits do not tell (root, ACLs, read-only mounts): try it.
        let probe = directory + "/.csp-write-test.\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno  // before the message is built
            throw SystemError("cannot write into \(quoted(directory))", code: code)
        }
        close(fd)
        unlink(probe)
    }

    /// Writes the certificate and chain, then moves `pendingKey` (already on disk, 0600)
    /// into key.pem: a failure at any step leaves the old identity whole and the new key
    /// where a retry finds it.
    static func write(to directory: String, pendingKey: String?, certificate: String, chain: String) throws {
        try FileIO.writeAtomically(directory + "/cert.pem", text: certificate)
        try FileIO.writeAtomically(directory + "/ca-chain.pem", text: chain)
        if let pendingKey {
            guard rename(pendingKey, directory + "/key.pem") == 0 else {
                let code = errno
                throw SystemError("cannot move \(quoted(pendingKey)) to \(quoted(directory + "/key.pem"))", code: code)
            }
            try FileIO.syncDirectory(containing: directory + "/key.pem")
        }
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

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for 'csp-ca serve' to accept and to answer (with --ca-socket).", valueName: "seconds"))
    var timeout: Double = 30

    func validate() throws {
        if (caHome == nil) == (caSocket == nil) { throw ValidationError("give exactly one of --ca <dir> and --ca-socket <path>") }
        if !(timeout > 0) { throw ValidationError("--timeout must be more than 0 seconds") }
    }

    var endpoint: CAEndpoint { caHome.map(CAEndpoint.home) ?? .socket(caSocket!, timeout: timeout) }
}
