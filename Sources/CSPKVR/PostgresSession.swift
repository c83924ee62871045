import CSPBasics
import Dispatch
import Foundation
import NIOSSL
import PostgresNIO

/// One connection to a PostgreSQL server, used synchronously: what the sink writes through
/// and `verify` reads through. Errors come out as KV-R errors in the server's words.
final class PostgresSession: @unchecked Sendable {
    /// The URL without its password, for messages.
    let target: String
    let connection: PostgresConnection
    let logger = Logger(label: "csp-kvr.postgres")

    init(url: String) throws {
        let connectionURL = try PostgresURL(url)
        target = connectionURL.display
        let configuration = try connectionURL.configuration()
        let display = target
        do {
            connection = try blocking {
                try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "csp-kvr.postgres"))
            }
        } catch {
            throw KVRError(.failure, "cannot connect to PostgreSQL \(quoted(display)): \(Self.reason(error))")
        }
    }

    deinit {
        let connection = connection
        try? blocking { try await connection.close() }
    }

    /// What went wrong, in the server's words when it said something.
    static func reason(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return "\(error)" }
        if let message = psql.serverInfo?[.message] { return message }
        if let underlying = psql.underlying { return "\(underlying)" }
        return String(reflecting: psql.code)
    }

    func run(_ sql: String) throws {
        try guarded { [connection, logger] in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    /// Rows of a query, each column as text.
    func rows(_ sql: String, _ binds: [String]) throws -> [[String?]] {
        var out: [[String?]] = []
        try forEachRow(sql, binds) { out.append($0) }
        return out
    }

    /// Streams the rows of a query to `body` (each column as text) without holding them all.
    func forEachRow(_ sql: String, _ binds: [String], _ body: ([String?]) throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            // The task may outlive `blocking` by a moment: it keeps the box, never `body`.
            let sink = Unchecked<(([String?]) throws -> Void)?>(body)
            defer { sink.value = nil }
            try guarded { [connection, logger] in
                var bindings = PostgresBindings()
                for bind in binds { bindings.append(bind) }
                // The caller waits in `blocking` while this runs: `body` is only ever called here.
                for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
                    try sink.value?(try row.makeRandomAccess().map { try $0.decode(String?.self) })
                }
            }
        }
    }

    func guarded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try blocking(body)
        } catch let error as KVRError {
            throw error
        } catch {
            throw KVRError(.failure, "PostgreSQL \(quoted(target)): \(Self.reason(error))")
        }
    }

    /// The statements of a script, one at a time (the extended protocol takes one each).
    func runScript(_ script: String) throws {
        for statement in script.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            try run(statement)
        }
    }
}

/// A PostgreSQL connection URL, read as libpq reads the common forms, `sslmode` and
/// `sslrootcert` included (docs/KVR.md, "Sinks").
struct PostgresURL {
    let display: String
    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String
    /// libpq's sslmode: disable, allow, prefer (the default), require, verify-ca, verify-full.
    let sslMode: String
    let sslRootCertificate: String?

    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw KVRError(.failure, "invalid PostgreSQL URL \(quoted(text)): expected postgresql://user@host/database")
        }
        var shown = components
        if shown.password != nil { shown.password = "***" }
        display = shown.string ?? text
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let environment = ProcessInfo.processInfo.environment
        user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        password = components.password?.removingPercentEncoding
        var database = String(components.path.dropFirst())
        if database.isEmpty { database = query["dbname"] ?? user }
        self.database = database
        port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "/var/run/postgresql"
        sslMode = query["sslmode"] ?? "prefer"
        guard Self.sslModes.contains(sslMode) else {
            throw KVRError(.failure, "invalid PostgreSQL URL \(quoted(display)): unknown sslmode \(quoted(sslMode)) (\(Self.sslModes.joined(separator: ", ")))")
        }
        sslRootCertificate = query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        if host.hasPrefix("/"), ["require", "verify-ca", "verify-full"].contains(sslMode) {
            // libpq never uses TLS on a Unix socket; asking for it there is a mistake, not a wish to ignore.
            throw KVRError(.failure, "invalid PostgreSQL URL \(quoted(display)): sslmode=\(sslMode) needs a TCP host, not the Unix socket \(quoted(host))")
        }
    }

    /// postgres-nio's configuration. TLS as libpq does it: `prefer` tries TLS without checking
    /// the certificate and falls back to plain; `require` insists on TLS and checks the
    /// certificate only when `sslrootcert` is given; `verify-ca` checks the chain against
    /// `sslrootcert` (else the system's roots); `verify-full` the host name too.
    func configuration() throws -> PostgresConnection.Configuration {
        if host.hasPrefix("/") {
            return .init(unixSocketPath: host + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        var tls: PostgresConnection.Configuration.TLS = .disable
        if sslMode != "disable" {
            var settings = TLSConfiguration.makeClientConfiguration()
            let verify = sslMode == "verify-ca" || sslMode == "verify-full" || (sslMode == "require" && sslRootCertificate != nil)
            settings.certificateVerification = !verify ? .none : sslMode == "verify-full" ? .fullVerification : .noHostnameVerification
            if let root = sslRootCertificate {
                guard FileIO.exists(root) else {
                    throw KVRError(.failure, "cannot read sslrootcert \(quoted(root)): no such file")
                }
                settings.trustRoots = .file(root)
            }
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: settings)
            } catch {
                throw KVRError(.failure, "cannot use sslrootcert \(quoted(sslRootCertificate ?? "")): \(error)")
            }
            tls = sslMode == "allow" || sslMode == "prefer" ? .prefer(context) : .require(context)
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

/// Runs async work to completion from synchronous code (the export loop is synchronous;
/// postgres-nio is async). The work runs on NIO's threads, so waiting here cannot deadlock.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Where `blocking` leaves the result; written by the task before it signals, read after.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
