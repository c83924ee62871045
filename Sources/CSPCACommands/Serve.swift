import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCLI
import CSPWire
import Dispatch
import Foundation
import NIOCore
import NIOPosix

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

        @OptionGroup(title: "Global Options") var global: GlobalOptions

        /// Requests are small JSON objects; a certificate request is about a kilobyte.
        static let maximumFrameSize = 1 << 20

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let path = global.socket ?? ca.home.path + "/ca.sock"
            if FileIO.exists(path) {
                if (try? FrameClient(path: path)) != nil {
                    throw CommandFailure("\(quoted(path)) is in use by a running server")
                }
                unlink(path)  // a stale socket from a server that was killed
            }
            let server = CAServer(authority: ca, path: path, verbose: global.verbose)
            let outcome = server.runBlocking()
            unlink(path)
            if case .failure(let error) = outcome { throw CommandFailure(String(describing: error)) }
            return .success
        }
    }
}

/// The NIO server behind `csp-ca serve`: one async task per connection, requests answered
/// in order; the CA's slow work (scrypt, SQLite) runs on NIO's blocking thread pool.
final class CAServer: Sendable {
    let authority: CertificateAuthority
    let path: String
    let verbose: Bool

    init(authority: CertificateAuthority, path: String, verbose: Bool) {
        self.authority = authority
        self.path = path
        self.verbose = verbose
    }

    func runBlocking() -> Result<Void, Error> {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<Void, Error>>(.success(()))
        let stop = Locked<Channel?>(nil)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.value?.close(promise: nil) }
            source.resume()
            return source
        }
        Task {
            do {
                try await self.serve { channel in stop.value = channel }
            } catch {
                result.value = .failure(error)
            }
            done.signal()
        }
        done.wait()
        sources.forEach { $0.cancel() }
        return result.value
    }

    private func serve(onListening: @Sendable (Channel) -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            // A client may send its request and shut down its side: it still gets the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: CSPCA.Serve.maximumFrameSize)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard chmod(path, 0o660) == 0 else { throw SystemError("cannot set permissions of \(quoted(path))") }
        onListening(server.channel)
        Diagnostics.note("csp-ca serve: CA '\(authority.config.commonName)' listening on \(path)")
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await self.handle(connection) }
                }
            }
        }
        Diagnostics.note("csp-ca serve: stopped")
    }

    private func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    let response = await answer(Array(buffer: frame))
                    try await outbound.write(ByteBuffer(bytes: response))
                }
            }
        } catch {
            // A client that sends a bad frame or disconnects mid-frame loses its own
            // connection, never the server.
            if verbose { Diagnostics.warning("csp-ca serve: connection closed: \(error)") }
        }
    }

    private func answer(_ payload: [UInt8]) async -> [UInt8] {
        let response: CAResponse
        if let request = try? JSONDecoder().decode(CARequest.self, from: Data(payload)) {
            let authority = self.authority
            response = (try? await NIOThreadPool.singleton.runIfActive {
                authority.handle(request, actor: "serve")
            }) ?? CAResponse(status: 2, error: "the server is shutting down")
            if verbose {
                Diagnostics.note("csp-ca serve: \(request.op) \(request.id ?? "") -> \(response.status)\(response.error.map { ": " + $0 } ?? "")")
            }
        } else {
            response = CAResponse(status: 2, error: "malformed request: expected a JSON object with 'op'")
        }
        return Array((try? JSONEncoder().encode(response)) ?? Data())
    }
}
