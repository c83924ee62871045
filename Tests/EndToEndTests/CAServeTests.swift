import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// `csp-ca serve` as a real process on a real Unix socket.
final class CAServeTests: XCTestCase {
    var ca: String { productsDirectory + "/csp-ca" }

    func startServer(home: String, socket: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ca)
        process.arguments = ["serve", "--home", home, "--socket", socket]
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(20_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket), "the server created its socket")
        return process
    }

    func testEnrollThroughServeAndSurviveBadClients() throws {
        let dir = try temporaryDirectory(self)
        let home = dir + "/ca", socket = dir + "/ca.sock"
        XCTAssertEqual(try runProcess(ca, ["init", "--home", home, "--org", "Acme"]).status, 0)
        let secret = try runProcess(ca, ["register", "frank", "--home", home, "--role", "node"]).stdout.trimmingCharacters(in: .newlines)
        let server = try startServer(home: home, socket: socket)
        defer { if server.isRunning { server.terminate() } }
        var info = stat()
        XCTAssertEqual(stat(socket, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o660)

        // Hostile clients: random bytes, a frame announcing 4 GiB, a truncated frame.
        _ = RawSocket.exchange(socket, (0..<64).map { _ in UInt8.random(in: 0...255) })
        _ = RawSocket.exchange(socket, [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])
        _ = RawSocket.exchange(socket, [0, 0, 0, 100, 1, 2])
        let notJSON = RawSocket.exchange(socket, [0, 0, 0, 3] + Array("abc".utf8))
        XCTAssertTrue(String(decoding: notJSON.dropFirst(4), as: UTF8.self).contains("malformed request"))

        let wrong = try runProcess(ca, ["enroll", "frank", "--secret", "nope-nope", "--ca-socket", socket, "--out", dir + "/frank"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.stderr, "error: wrong enrollment secret for 'frank'\n")
        let enrolled = try runProcess(ca, ["enroll", "frank", "--secret-file", "-", "--ca-socket", socket, "--out", dir + "/frank"],
                                      input: Data((secret + "\n").utf8))
        XCTAssertEqual(enrolled.status, 0, enrolled.stderr)
        let text = try runProcess("openssl", ["x509", "-in", dir + "/frank/cert.pem", "-noout", "-text"]).stdout
        XCTAssertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), "node certificates carry serverAuth and clientAuth")
        XCTAssertEqual(try runProcess("openssl", ["verify", "-CAfile", dir + "/frank/ca-chain.pem", dir + "/frank/cert.pem"]).status, 0)
        let renewed = try runProcess(ca, ["reenroll", "--home", dir + "/frank", "--ca-socket", socket])
        XCTAssertEqual(renewed.status, 0, renewed.stderr)

        // A second server on the same socket is refused; SIGTERM stops the first cleanly.
        let second = try runProcess(ca, ["serve", "--home", home, "--socket", socket])
        XCTAssertEqual(second.status, 2)
        XCTAssertEqual(second.stderr, "error: '\(socket)' is in use by a running server\n")
        server.terminate()
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket is removed on exit")
        let unreachable = try runProcess(ca, ["enroll", "frank", "--secret", "x", "--ca-socket", socket, "--out", dir + "/g"])
        XCTAssertEqual(unreachable.status, 2)
        XCTAssertEqual(unreachable.stderr, "error: cannot connect to '\(socket)': no such file or directory\n")
    }
}
