import CSPBasics

/// Why bytes could not be decoded as a csp structure.
public struct FormatError: Error, CustomStringConvertible, Equatable, Sendable {
    public let structure: String
    public let offset: Int
    public let reason: String

    public var description: String { "malformed \(structure) at byte \(offset): \(reason)" }
}

/// Appends the canonical encoding (docs/FORMAT.md, "Primitives"): big-endian fixed-width
/// integers, u32-length-prefixed byte strings, u32-count-prefixed lists. There is exactly
/// one encoding of every value, so hashes and signatures over it are well defined.
public struct CanonicalWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Raw bytes of a length both sides know (magic numbers, 32-byte hashes).
    public mutating func fixed(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    /// u32 length, then the bytes.
    public mutating func lengthPrefixed(_ value: [UInt8]) {
        precondition(value.count <= UInt32.max, "byte string longer than 4 GiB")
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// UTF-8, length-prefixed.
    public mutating func string(_ value: String) { lengthPrefixed(Array(value.utf8)) }

    public mutating func digest(_ value: SHA256DigestBytes) { fixed(value) }
}

/// 32 bytes of a SHA-256 digest inside an encoding.
public typealias SHA256DigestBytes = [UInt8]

/// Reads the canonical encoding strictly: every length is checked against what remains
/// before anything is allocated, and trailing bytes are an error.
public struct CanonicalReader {
    let bytes: [UInt8]
    public private(set) var offset = 0
    let structure: String

    public init(_ bytes: [UInt8], structure: String) {
        self.bytes = bytes
        self.structure = structure
    }

    public var remaining: Int { bytes.count - offset }

    public func error(_ reason: String, at position: Int? = nil) -> FormatError {
        FormatError(structure: structure, offset: position ?? offset, reason: reason)
    }

    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw error("\(what()) needs \(count) bytes but only \(remaining) remain (truncated?)")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 { try take(1, what()).first! }

    public mutating func u32(_ what: @autoclosure () -> String) throws -> UInt32 {
        try take(4, what()).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func u64(_ what: @autoclosure () -> String) throws -> UInt64 {
        try take(8, what()).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func fixed(_ count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        Array(try take(count, what()))
    }

    public mutating func lengthPrefixed(_ what: @autoclosure () -> String, max: Int) throws -> [UInt8] {
        let start = offset
        let length = Int(try u32("length of \(what())"))
        guard length <= max else { throw error("\(what()) is \(length) bytes, more than the limit of \(max)", at: start) }
        return Array(try take(length, what()))
    }

    public mutating func string(_ what: @autoclosure () -> String, max: Int) throws -> String {
        let start = offset
        let raw = try lengthPrefixed(what(), max: max)
        guard let text = UTF8Text.decode(raw) else {
            throw error("\(what()) is not valid UTF-8", at: start)
        }
        return text
    }

    /// A list count, checked against the smallest size an element can have, so a forged
    /// count cannot make the reader reserve gigabytes.
    public mutating func count(_ what: @autoclosure () -> String, minimumElementSize: Int, max: Int) throws -> Int {
        let start = offset
        let count = Int(try u32("count of \(what())"))
        guard count <= max else { throw error("\(count) \(what()), more than the limit of \(max)", at: start) }
        guard count * minimumElementSize <= remaining else {
            throw error("\(count) \(what()) cannot fit in the \(remaining) bytes that remain (truncated?)", at: start)
        }
        return count
    }

    public mutating func expectMagic(_ magic: [UInt8], version: UInt8) throws {
        let found = try fixed(magic.count, "magic")
        guard found == magic else {
            throw error("expected magic \(String(decoding: magic, as: UTF8.self)), found 0x\(Hex.encode(found))", at: 0)
        }
        let foundVersion = try u8("version")
        guard foundVersion == version else { throw error("unsupported version \(foundVersion) (this build reads \(version))", at: magic.count) }
    }

    public func finish() throws {
        guard remaining == 0 else { throw error("\(remaining) trailing bytes after the end") }
    }
}
