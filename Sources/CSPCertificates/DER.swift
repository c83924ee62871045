/// A tiny strict DER reader and writer for csp's identity extension.
///
/// Hand-written rather than built on libcrypto's ASN1 templates: declaring a new ASN.1
/// type there takes C macros (ASN1_SEQUENCE, IMPLEMENT_ASN1_FUNCTIONS) that Swift cannot
/// call, and a structure of four fields does not justify a C file. Only what the
/// extension needs is here: single-byte tags, definite lengths (short and long form).
enum DER {
    static let integer: UInt8 = 0x02
    static let utf8String: UInt8 = 0x0c
    static let sequence: UInt8 = 0x30

    /// Why bytes are not the DER the reader expected.
    struct Failure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    struct Writer {
        private(set) var bytes: [UInt8] = []

        mutating func append(tag: UInt8, content: [UInt8]) {
            bytes.append(tag)
            if content.count < 0x80 {
                bytes.append(UInt8(content.count))
            } else {
                // Long form: the minimal big-endian length, prefixed by its byte count.
                var length = content.count
                var encoded: [UInt8] = []
                while length > 0 {
                    encoded.insert(UInt8(length & 0xff), at: 0)
                    length >>= 8
                }
                bytes.append(0x80 | UInt8(encoded.count))
                bytes += encoded
            }
            bytes += content
        }

        mutating func append(utf8 text: String) {
            append(tag: DER.utf8String, content: Array(text.utf8))
        }
    }

    struct Reader {
        private var remaining: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { remaining = bytes }

        var isAtEnd: Bool { remaining.isEmpty }

        /// Reads one element with `tag` and returns its content; `what` names it in errors.
        mutating func read(tag: UInt8, _ what: String) throws(Failure) -> ArraySlice<UInt8> {
            guard let found = remaining.first else { throw Failure("\(what) is missing") }
            guard found == tag else {
                throw Failure("\(what) has tag 0x\(hex(found)), expected 0x\(hex(tag))")
            }
            var cursor = remaining.index(after: remaining.startIndex)
            guard cursor < remaining.endIndex else { throw Failure("\(what) has no length") }
            let first = remaining[cursor]
            cursor += 1
            var length = 0
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7f)
                // 0x80 is BER's indefinite length; more than 4 bytes is never a sane size here.
                guard count >= 1, count <= 4 else { throw Failure("\(what) has an unsupported length encoding") }
                guard remaining.endIndex - cursor >= count else { throw Failure("\(what) is truncated") }
                guard remaining[cursor] != 0 else { throw Failure("\(what) has a non-minimal length") }
                for _ in 0..<count {
                    length = length << 8 | Int(remaining[cursor])
                    cursor += 1
                }
                guard length >= 0x80 else { throw Failure("\(what) has a non-minimal length") }
            }
            guard remaining.endIndex - cursor >= length else { throw Failure("\(what) is truncated") }
            let content = remaining[cursor..<(cursor + length)]
            remaining = remaining[(cursor + length)...]
            return content
        }

        mutating func readUTF8(_ what: String) throws(Failure) -> String {
            let content = try read(tag: DER.utf8String, what)
            guard let text = String(validating: content, as: UTF8.self) else {
                throw Failure("\(what) is not valid UTF-8")
            }
            return text
        }

        private func hex(_ byte: UInt8) -> String {
            byte < 0x10 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
    }
}
