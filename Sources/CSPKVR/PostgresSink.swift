import CSPBasics
import CSPContracts
import CSPCrypto
import Dispatch
import Foundation
import PostgresNIO

/// Straight into a PostgreSQL server (postgres-nio): each batch one transaction of COPY
/// into staging tables merged by `INSERT ... ON CONFLICT`, with the checkpoint row, so
/// `export` and `follow` resume from the checkpoint held in the server itself. One writer
/// per channel at a time, by a session advisory lock.
public final class PostgresSink: Sink, @unchecked Sendable {
    /// The URL without its password, for messages.
    public let target: String
    private let connection: PostgresConnection
    private let logger = Logger(label: "csp-kvr.postgres")
    private var batch = BatchBuffer()

    /// `url`: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, or with an empty host
    /// and `?host=/socket/dir` for a Unix socket, as libpq reads it. TLS is not used.
    public init(url: String) throws {
        let connectionURL = try PostgresURL(url)
        target = connectionURL.display
        let configuration = connectionURL.configuration
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

    private func run(_ sql: String) throws {
        try guarded { [connection, logger] in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    /// Rows of a query, each column as text.
    private func rows(_ sql: String, _ binds: [String]) throws -> [[String?]] {
        try guarded { [connection, logger] in
            var bindings = PostgresBindings()
            for bind in binds { bindings.append(bind) }
            var out: [[String?]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
                out.append(try row.makeRandomAccess().map { try $0.decode(String?.self) })
            }
            return out
        }
    }

    private func guarded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try blocking(body)
        } catch {
            throw KVRError(.failure, "PostgreSQL \(quoted(target)): \(Self.reason(error))")
        }
    }

    /// The statements of a script, one at a time (the extended protocol takes one each).
    private func runScript(_ script: String) throws {
        for statement in script.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            try run(statement)
        }
    }

    private var tables = Tables.tables

    public func prepare(channel: String, tables: [Table]) throws -> Checkpoint? {
        self.tables = tables
        try run("SET client_min_messages = warning")
        let locked = try rows("SELECT pg_try_advisory_lock(hashtext($1))::text", ["csp-kvr " + channel])
        guard locked.first?.first == "true" else {
            throw KVRError(.failure, "database \(quoted(target)) is locked by another writer of channel \(quoted(channel))")
        }
        try runScript(Tables.ddl(.postgres, tables: tables, indexes: false))
        for statement in BatchSQL.stagingTables(tables) { try run(statement) }
        guard let row = try rows("SELECT block::text, hash, commit_hash FROM kvr_checkpoint WHERE channel = $1", [channel]).first else {
            return nil
        }
        guard let block = row[0].flatMap(UInt64.init), let hash = row[1].flatMap(SHA256Digest.init(hex:)),
              let commit = row[2].flatMap(SHA256Digest.init(hex:)) else {
            throw KVRError(.failure, "database \(quoted(target)) holds a damaged checkpoint for channel \(quoted(channel))")
        }
        return Checkpoint(channel: channel, block: block, hash: hash, commitHash: commit)
    }

    public func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? {
        try rows("SELECT definition::text FROM definitions WHERE channel = $1 ORDER BY name, version", [channel])
            .compactMap { $0[0].flatMap { try? CanonicalJSON.parse(Array($0.utf8)) } }
    }

    public func apply(_ change: Change) throws {
        batch.add(change)
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        batch.add(BatchBuffer.checkpointRow(checkpoint))
        let steps = BatchSQL.steps(batch, .postgres)
        let views = batch.views.sorted { $0.key < $1.key }.map { $0.value.viewDDL($0.key, .postgres) }
        batch.removeAll()
        try guarded { [connection, logger] in
            try await connection.query("BEGIN", logger: logger)
            do {
                for step in steps {
                    switch step {
                    case let .statement(sql):
                        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                    case let .copy(table, columns, rows):
                        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                            var buffer = ByteBuffer()
                            for row in rows {
                                buffer.writeString(row)
                                buffer.writeInteger(UInt8(ascii: "\n"))
                                if buffer.readableBytes >= 1 << 20 {
                                    try await writer.write(buffer)
                                    buffer.clear()
                                }
                            }
                            if buffer.readableBytes > 0 { try await writer.write(buffer) }
                        }
                    }
                }
                try await connection.query("COMMIT", logger: logger)
            } catch {
                try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        for view in views { try runScript(view) }
    }

    public func finish(catalog: DefinitionCatalog) throws {
        try runScript(Tables.indexDDL(.postgres, tables: tables))
        try runScript(catalog.allViewsDDL(.postgres))
    }

    public func abandon() {
        batch.removeAll()
    }
}

/// A PostgreSQL connection URL, read as libpq reads the common forms.
struct PostgresURL {
    let configuration: PostgresConnection.Configuration
    let display: String

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw KVRError(.failure, "invalid PostgreSQL URL \(quoted(text)): expected postgresql://user@host/database")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let environment = ProcessInfo.processInfo.environment
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let password = components.password?.removingPercentEncoding
        var database = String(components.path.dropFirst())
        if database.isEmpty { database = query["dbname"] ?? user }
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        if let mode = query["sslmode"], !["disable", "allow", "prefer"].contains(mode) {
            throw KVRError(.failure, "invalid PostgreSQL URL: sslmode=\(mode) is not supported (csp-kvr connects without TLS)")
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "/var/run/postgresql"
        if host.hasPrefix("/") {
            configuration = .init(unixSocketPath: host + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: .disable)
        }
        var shown = components
        if shown.password != nil { shown.password = "***" }
        display = shown.string ?? text
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
