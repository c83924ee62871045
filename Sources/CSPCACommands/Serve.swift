import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCLI
import CSPWireServer
import Foundation

extension CSPCA {
    /// `csp-ca serve`: the enrollment service for clients on this host.
    struct Serve: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Serve enrollment and renewal to clients on this host over a Unix socket.",
            discussion: """
                Listens on --socket (mode 0660; default <home>/ca.sock) with the framing of \
                docs/PROTOCOL.md. Clients use 'csp-ca enroll --ca-socket PATH'. The CA key \
                stays in this process. Stops cleanly on SIGTERM or SIGINT.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions

        @Option(name: .long, help: ArgumentHelp("The CA's socket to listen on (default: <home>/ca.sock); not the node's.", valueName: "path"),
                completion: .file())
        var socket: String?

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let path = socket ?? ca.home.path + "/ca.sock"
            try CAServer(authority: ca, path: path, verbose: global.verbose).runUntilSignalled()
            return .success
        }
    }
}

/// `csp-ca serve` on the shared `SocketServer`: each connection's requests are answered
/// one at a time, in order (one request in flight), and the CA's slow work (scrypt,
/// SQLite) runs on the blocking thread pool.
final class CAServer: Sendable {
    /// Requests are small JSON objects; a certificate request is about a kilobyte.
    static let limits = SocketServerLimits(maximumFrameSize: 1 << 20, requestsInFlight: 1, connections: 256, shutdownGraceSeconds: 2)
    let authority: CertificateAuthority
    let socket: SocketServer
    let verbose: Bool

    init(authority: CertificateAuthority, path: String, verbose: Bool) {
        self.authority = authority
        self.verbose = verbose
        let log: (@Sendable (String) -> Void)? = verbose ? Self.log : nil
        socket = SocketServer(path: path, limits: Self.limits, refusal: Self.refusal, log: log)
    }

    @Sendable static func log(_ message: String) { Diagnostics.warning("csp-ca serve: \(message)") }

    @Sendable static func refusal(_ reason: String) -> [UInt8] { encode(CAResponse(status: 2, error: reason)) }

    func runUntilSignalled() throws {
        let name = authority.config.commonName, path = socket.path
        try socket.runUntilSignalled(onListening: { Diagnostics.note("csp-ca serve: CA '\(name)' listening on \(path)") }) { payload in
            .concurrently { writer in try await writer.send(await self.answer(payload)) }
        }
        Diagnostics.note("csp-ca serve: stopped")
    }

    private func answer(_ payload: [UInt8]) async -> [UInt8] {
        let response: CAResponse
        if let request = try? JSONDecoder().decode(CARequest.self, from: Data(payload)) {
            let authority = self.authority
            response = (try? await BlockingWork.run { authority.handle(request, actor: "serve") })
                ?? CAResponse(status: 2, error: "the server is shutting down")
            if verbose {
                Diagnostics.note("csp-ca serve: \(request.op) \(request.id ?? "") -> \(response.status)\(response.error.map { ": " + $0 } ?? "")")
            }
        } else {
            response = CAResponse(status: 2, error: "malformed request: expected a JSON object with 'op'")
        }
        return Self.encode(response)
    }

    static func encode(_ response: CAResponse) -> [UInt8] {
        Array((try? JSONEncoder().encode(response)) ?? Data())
    }
}
