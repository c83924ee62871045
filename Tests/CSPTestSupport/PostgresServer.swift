#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A private PostgreSQL server for one test: `initdb` into a temporary folder, `pg_ctl`
/// start listening only on a Unix socket in that folder (no TCP port to collide on), and
/// stopped and removed when the test ends. PostgreSQL refuses to run as root, so when the
/// tests run as root (CI on a fresh machine) the server runs as the `postgres` system user
/// that Debian's package creates, through `runuser`. Skips the test when PostgreSQL is not
/// installed (`make deps` installs it).
public final class PostgresServer {
    /// The folder holding the cluster and the socket.
    public let directory: String
    public let socketDirectory: String
    public let port: Int
    private let binaries: String
    private let runAs: String?
    /// With TLS: the server also listens on 127.0.0.1:`port`, accepting only TLS there, with
    /// a certificate for `localhost` signed by the test CA in `caCertificate`.
    public let tls: Bool
    public var caCertificate: String { directory + "/tls/ca.pem" }

    /// The server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin.
    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl") {
            return "\(root)/\(version)/bin"
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(folder)/pg_ctl") {
            return String(folder)
        }
        return nil
    }

    /// `tls`: `ssl = on` with an openssl-made certificate, and TCP on loopback that takes TLS only.
    public static func start(_ testCase: XCTestCase, tls: Bool = false) throws -> PostgresServer {
        guard let binaries = findBinaries() else { throw XCTSkip("PostgreSQL is not installed (make deps installs it)") }
        let server = try PostgresServer(directory: temporaryDirectory(testCase), binaries: binaries, tls: tls)
        try server.initialize()
        testCase.addTeardownBlock { server.stop() }
        return server
    }

    private init(directory: String, binaries: String, tls: Bool) throws {
        self.directory = directory
        self.socketDirectory = directory + "/socket"
        self.binaries = binaries
        self.runAs = getuid() == 0 ? "postgres" : nil
        self.tls = tls
        self.port = tls ? try freeLoopbackPort() : 5432
    }


    /// A CA and a server certificate for `localhost` signed by it, by the openssl command.
    private func makeCertificates() throws {
        let folder = directory + "/tls"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=csp test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
             "-days", "2", "-extfile", "ext.cnf"],
        ]
        try "subjectAltName = DNS:localhost\n".write(toFile: folder + "/ext.cnf", atomically: true, encoding: .utf8)
        for step in steps {
            let result = try runProcess("openssl", step, currentDirectory: folder)
            guard result.status == 0 else { throw PostgresError(message: "openssl \(step[0]) failed: \(result.stderr)") }
        }
    }

    /// Runs a server binary as the server's user, its output into `output.log`. Not through
    /// Foundation's Process: `pg_ctl start` leaves a daemon behind, and Process then never
    /// sees `runuser` exit; posix_spawn and waitpid do.
    private func server(_ tool: String, _ arguments: [String]) throws {
        let path = binaries + "/" + tool
        let command = runAs.map { ["/usr/sbin/runuser", "-u", $0, "--", path] } ?? [path]
        let log = directory + "/output.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (command + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw PostgresError(message: "cannot run \(command[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let server = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            throw PostgresError(message: "\(tool) failed (status \(status)): \(output)\n\(server)")
        }
    }

    private func initialize() throws {
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        if let runAs, let user = getpwnam(runAs) {
            for path in [directory, socketDirectory, data] {
                guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                    throw PostgresError(message: "cannot hand '\(path)' to \(runAs): errno \(errno)")
                }
            }
        }
        try server("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        var options = "-k \(socketDirectory) -p \(port) -c listen_addresses='' -c fsync=off"
        if tls {
            try makeCertificates()
            // The key must belong to the server's user and be private to it.
            for file in ["server.pem", "server.key"] {
                let path = directory + "/tls/" + file
                chmod(path, 0o600)
                if let runAs, let user = getpwnam(runAs) { chown(path, user.pointee.pw_uid, user.pointee.pw_gid) }
            }
            if let runAs, let user = getpwnam(runAs) { chown(directory + "/tls", user.pointee.pw_uid, user.pointee.pw_gid) }
            // TCP takes TLS only, so a connection that works there used TLS.
            try "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n"
                .write(toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
            options = "-k \(socketDirectory) -p \(port) -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on"
                + " -c ssl_cert_file=\(directory)/tls/server.pem -c ssl_key_file=\(directory)/tls/server.key"
        }
        try server("pg_ctl", ["-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o", options, "start"])
    }

    /// Stops the server at once (its data is thrown away with the folder).
    public func stop() {
        try? server("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
    }

    /// A connection URL for libpq and psql.
    public func url(database: String = "postgres") -> String {
        "postgresql://postgres@/\(database)?host=\(socketDirectory)&port=\(port)"
    }

    /// A URL over TCP on loopback (a TLS server), with extra query parameters.
    public func tcpURL(host: String = "localhost", database: String = "postgres", _ parameters: String) -> String {
        "postgresql://postgres@\(host):\(port)/\(database)?\(parameters)"
    }

    /// Runs `psql` against `database`, stopping at the first error.
    @discardableResult
    public func psql(_ arguments: [String], database: String = "postgres", input: Data? = nil,
                     currentDirectory: String? = nil) throws -> ProcessResult {
        try runProcess("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", String(port), "-U", "postgres",
                                "-d", database] + arguments, input: input, currentDirectory: currentDirectory)
    }

    /// One value from a query (`psql -At`), trimmed.
    public func value(_ sql: String, database: String = "postgres") throws -> String {
        let result = try psql(["-At", "-c", sql], database: database)
        guard result.status == 0 else { throw PostgresError(message: "\(sql): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func createDatabase(_ name: String) throws {
        _ = try value("CREATE DATABASE \(name)")
    }
}

public struct PostgresError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
