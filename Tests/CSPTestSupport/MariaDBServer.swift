#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A private MariaDB server for one test: `mariadb-install-db` into a temporary folder,
/// `mariadbd` listening only on a Unix socket in that folder (no TCP), stopped and removed
/// when the test ends. Run as root (CI on a fresh machine), the server drops to the `mysql`
/// system user that Debian's package creates (`--user`). Skips the test when MariaDB is
/// not installed (`make deps` installs mariadb-server and mariadb-client).
public final class MariaDBServer {
    /// The folder holding the data directory, the socket and the logs.
    public let directory: String
    public var socket: String { directory + "/mysqld.sock" }
    private let runAs: String?
    private var process: Process?

    /// `mariadbd` and `mariadb-install-db`: in /usr/sbin and /usr/bin on Debian, else on PATH.
    static func find(_ name: String) -> String? {
        let folders = ["/usr/sbin", "/usr/bin"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func start(_ testCase: XCTestCase) throws -> MariaDBServer {
        guard let daemon = find("mariadbd"), let install = find("mariadb-install-db"), find("mariadb") != nil else {
            throw XCTSkip("MariaDB is not installed (make deps installs mariadb-server and mariadb-client)")
        }
        let server = MariaDBServer(directory: try temporaryDirectory(testCase))
        testCase.addTeardownBlock { server.stop() }
        try server.initialize(install: install)
        try server.run(daemon: daemon)
        return server
    }

    private init(directory: String) {
        self.directory = directory
        runAs = getuid() == 0 ? "mysql" : nil
    }

    private var common: [String] {
        ["--no-defaults", "--datadir=\(directory)/data"] + (runAs.map { ["--user=\($0)"] } ?? [])
    }

    private func initialize(install: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        if let runAs, let user = getpwnam(runAs) {
            for path in [directory, directory + "/data"] where chown(path, user.pointee.pw_uid, user.pointee.pw_gid) != 0 {
                throw MariaDBError(message: "cannot hand '\(path)' to \(runAs): errno \(errno)")
            }
        }
        // root without a password over the socket: the test's client is whoever runs the tests.
        let result = try runProcess(install, common + ["--auth-root-authentication-method=normal", "--skip-test-db",
                                                       "--skip-name-resolve"], timeLimit: 120)
        guard result.status == 0 else { throw MariaDBError(message: "mariadb-install-db failed: \(result.stdout)\(result.stderr)") }
    }

    private func run(daemon: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = common + ["--socket=\(socket)", "--skip-networking", "--pid-file=\(directory)/mysqld.pid",
                                      "--log-error=\(directory)/error.log", "--local-infile=1", "--skip-log-bin",
                                      "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M",
                                      "--innodb-flush-log-at-trx-commit=0"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready once it answers on its socket (bounded: a server that never comes up fails the test).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard process.isRunning else { break }
            if (try? runProcess("mariadb-admin", ["--no-defaults", "-uroot", "--socket=\(socket)", "ping"], timeLimit: 10))?.status == 0 { return }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
        throw MariaDBError(message: "mariadbd did not come up: \(log)")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 20 s); its data goes with the folder.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs the `mariadb` client against `database` (LOAD DATA LOCAL allowed), stopping at the first error.
    @discardableResult
    public func client(_ arguments: [String], database: String? = nil, input: Data? = nil, currentDirectory: String? = nil) throws -> ProcessResult {
        try runProcess("mariadb", ["--no-defaults", "-uroot", "--socket=\(socket)", "--local-infile=1", "--batch"]
                       + arguments + (database.map { [$0] } ?? []), input: input, currentDirectory: currentDirectory)
    }

    /// One value from a query, trimmed.
    public func value(_ sql: String, database: String? = nil) throws -> String {
        let result = try client(["-N", "-e", sql], database: database)
        guard result.status == 0 else { throw MariaDBError(message: "\(sql): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The arguments that run the client on `database` (for a process a test wires itself).
    public func clientArguments(database: String) -> [String] {
        ["--no-defaults", "-uroot", "--socket=\(socket)", "--local-infile=1", "--batch", database]
    }

    public func createDatabase(_ name: String) throws {
        _ = try value("CREATE DATABASE \(name) CHARACTER SET utf8mb4")
    }
}

public struct MariaDBError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
