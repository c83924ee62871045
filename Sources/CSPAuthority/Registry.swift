import CSPBasics
import CSPSQLite
import Foundation

/// One registered participant.
public struct RegisteredIdentity: Equatable, Sendable {
    public var id: String
    public var role: String
    public var organization: String
    public var attributes: [String: String]
    public var maxEnrollments: Int
    public var enrollments: Int
    public var failedAttempts: Int
    /// "active" or "revoked".
    public var state: String
    /// Whether an unused enrollment secret is still on file.
    public var hasSecret: Bool
    public var createdAt: Date
}

/// One certificate the CA issued.
public struct IssuedRecord: Equatable, Sendable {
    public var serial: String
    public var identity: String
    public var pem: String
    public var notBefore: Date
    public var notAfter: Date
    public var issuedAt: Date
    public var revokedAt: Date?
    public var reason: Int?
}

/// One line of the append-only audit log.
public struct AuditEntry: Equatable, Sendable {
    public var sequence: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String
}

/// The CA's SQLite registry. The audit log is append-only at the database level:
/// triggers refuse UPDATE and DELETE, so not even a bug in csp can rewrite it.
final class Registry {
    let db: SQLiteDatabase

    static let schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS identities (
            id TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            organization TEXT NOT NULL,
            attributes TEXT NOT NULL,
            secret_hash TEXT,
            max_enrollments INTEGER NOT NULL,
            enrollments INTEGER NOT NULL DEFAULT 0,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),
            created_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS certificates (
            serial TEXT PRIMARY KEY,
            identity TEXT NOT NULL REFERENCES identities(id),
            pem TEXT NOT NULL,
            not_before INTEGER NOT NULL,
            not_after INTEGER NOT NULL,
            issued_at INTEGER NOT NULL,
            revoked_at INTEGER,
            reason INTEGER
        );
        CREATE INDEX IF NOT EXISTS certificates_by_identity ON certificates(identity);
        CREATE INDEX IF NOT EXISTS certificates_by_expiry ON certificates(not_after);
        CREATE TABLE IF NOT EXISTS audit_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1'), ('crl_number', '0');
        """

    init(path: String, create: Bool) throws {
        if !create && !FileIO.exists(path) {
            throw CAFailure("cannot open CA registry \(quoted(path)): no such file")
        }
        do {
            db = try SQLiteDatabase(path: path)
            if create { try db.execute(Registry.schema) }
            guard try db.scalar("SELECT value FROM meta WHERE key = 'schema_version'")?.stringValue == "1" else {
                throw CAFailure("CA registry \(quoted(path)) has an unknown schema version")
            }
        } catch let error as SQLiteError {
            throw CAFailure("cannot open CA registry \(quoted(path)): \(error.message)")
        }
    }

    func close() { db.close() }

    // MARK: Identities

    func identity(_ id: String) throws -> RegisteredIdentity? {
        try db.query("SELECT id, role, organization, attributes, max_enrollments, enrollments, failed_attempts, state, secret_hash IS NOT NULL, created_at FROM identities WHERE id = ?", id)
            .first.map(Registry.identity(from:))
    }

    func identities() throws -> [RegisteredIdentity] {
        try db.query("SELECT id, role, organization, attributes, max_enrollments, enrollments, failed_attempts, state, secret_hash IS NOT NULL, created_at FROM identities ORDER BY id")
            .map(Registry.identity(from:))
    }

    private static func identity(from row: [SQLiteValue]) -> RegisteredIdentity {
        let attributes = (try? JSONDecoder().decode([String: String].self, from: Data((row[3].stringValue ?? "{}").utf8))) ?? [:]
        return RegisteredIdentity(id: row[0].stringValue ?? "", role: row[1].stringValue ?? "", organization: row[2].stringValue ?? "",
                                  attributes: attributes, maxEnrollments: row[4].intValue ?? 0, enrollments: row[5].intValue ?? 0,
                                  failedAttempts: row[6].intValue ?? 0, state: row[7].stringValue ?? "",
                                  hasSecret: row[8].intValue == 1, createdAt: Date(timeIntervalSince1970: Double(row[9].int64Value ?? 0)))
    }

    func secretHash(_ id: String) throws -> String? {
        try db.scalar("SELECT secret_hash FROM identities WHERE id = ?", id)?.stringValue
    }

    func insertIdentity(_ identity: RegisteredIdentity, secretHash: String?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let attributes = String(decoding: try encoder.encode(identity.attributes), as: UTF8.self)
        try db.run("INSERT INTO identities (id, role, organization, attributes, secret_hash, max_enrollments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   identity.id, identity.role, identity.organization, attributes, secretHash, identity.maxEnrollments,
                   Int64(identity.createdAt.timeIntervalSince1970))
    }

    func resetSecret(_ id: String, secretHash: String, maxEnrollments: Int) throws {
        try db.run("UPDATE identities SET secret_hash = ?, failed_attempts = 0, enrollments = 0, max_enrollments = ? WHERE id = ?",
                   secretHash, maxEnrollments, id)
    }

    func recordFailedAttempt(_ id: String, lockAfter limit: Int) throws -> Int {
        try db.run("UPDATE identities SET failed_attempts = failed_attempts + 1 WHERE id = ?", id)
        let attempts = try db.scalar("SELECT failed_attempts FROM identities WHERE id = ?", id)?.intValue ?? 0
        // The secret dies with the last allowed attempt: a locked identity needs a new one.
        if attempts >= limit { try db.run("UPDATE identities SET secret_hash = NULL WHERE id = ?", id) }
        return attempts
    }

    func recordEnrollment(_ id: String) throws {
        try db.run("UPDATE identities SET enrollments = enrollments + 1, failed_attempts = 0 WHERE id = ?", id)
        // A secret is spent once the identity has used its enrollments.
        try db.run("UPDATE identities SET secret_hash = NULL WHERE id = ? AND enrollments >= max_enrollments", id)
    }

    func setRevoked(_ id: String) throws {
        try db.run("UPDATE identities SET state = 'revoked', secret_hash = NULL WHERE id = ?", id)
    }

    // MARK: Certificates

    func insertCertificate(_ record: IssuedRecord) throws {
        try db.run("INSERT INTO certificates (serial, identity, pem, not_before, not_after, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
                   record.serial, record.identity, record.pem, Int64(record.notBefore.timeIntervalSince1970),
                   Int64(record.notAfter.timeIntervalSince1970), Int64(record.issuedAt.timeIntervalSince1970))
    }

    private static let certificateColumns = "serial, identity, pem, not_before, not_after, issued_at, revoked_at, reason"

    private static func record(from row: [SQLiteValue]) -> IssuedRecord {
        IssuedRecord(serial: row[0].stringValue ?? "", identity: row[1].stringValue ?? "", pem: row[2].stringValue ?? "",
                     notBefore: Date(timeIntervalSince1970: Double(row[3].int64Value ?? 0)),
                     notAfter: Date(timeIntervalSince1970: Double(row[4].int64Value ?? 0)),
                     issuedAt: Date(timeIntervalSince1970: Double(row[5].int64Value ?? 0)),
                     revokedAt: row[6].int64Value.map { Date(timeIntervalSince1970: Double($0)) },
                     reason: row[7].intValue)
    }

    func certificate(serial: String) throws -> IssuedRecord? {
        try db.query("SELECT \(Registry.certificateColumns) FROM certificates WHERE serial = ?", serial).first.map(Registry.record(from:))
    }

    func certificates(identity: String) throws -> [IssuedRecord] {
        try db.query("SELECT \(Registry.certificateColumns) FROM certificates WHERE identity = ? ORDER BY issued_at, serial", identity).map(Registry.record(from:))
    }

    func certificates(revoked: Bool? = nil, expiringBefore: Date? = nil) throws -> [IssuedRecord] {
        var clauses: [String] = []
        var bindings: [SQLiteValue] = []
        if let revoked { clauses.append(revoked ? "revoked_at IS NOT NULL" : "revoked_at IS NULL") }
        if let expiringBefore {
            clauses.append("not_after <= ?")
            bindings.append(.integer(Int64(expiringBefore.timeIntervalSince1970)))
        }
        let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        return try db.query("SELECT \(Registry.certificateColumns) FROM certificates\(condition) ORDER BY not_after, serial", bindings: bindings)
            .map(Registry.record(from:))
    }

    func revokeCertificate(serial: String, at date: Date, reason: Int) throws {
        try db.run("UPDATE certificates SET revoked_at = ?, reason = ? WHERE serial = ? AND revoked_at IS NULL",
                   Int64(date.timeIntervalSince1970), reason, serial)
    }

    // MARK: CRL numbers and the audit log

    func nextCRLNumber() throws -> UInt64 {
        let current = UInt64(try db.scalar("SELECT value FROM meta WHERE key = 'crl_number'")?.stringValue ?? "0") ?? 0
        try db.run("UPDATE meta SET value = ? WHERE key = 'crl_number'", String(current + 1))
        return current + 1
    }

    func log(actor: String, action: String, subject: String, detail: String = "") throws {
        try db.run("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                   Int64(Date().timeIntervalSince1970), actor, action, subject, detail)
    }

    func auditLog() throws -> [AuditEntry] {
        try db.query("SELECT seq, at, actor, action, subject, detail FROM audit_log ORDER BY seq").map { row in
            AuditEntry(sequence: row[0].int64Value ?? 0, at: Date(timeIntervalSince1970: Double(row[1].int64Value ?? 0)),
                       actor: row[2].stringValue ?? "", action: row[3].stringValue ?? "", subject: row[4].stringValue ?? "",
                       detail: row[5].stringValue ?? "")
        }
    }
}
