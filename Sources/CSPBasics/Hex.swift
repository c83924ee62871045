/// Lower-case hexadecimal, the form hashes and ids take in every csp output.
public enum Hex {
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        // One pass over contiguous bytes into the string's own storage: generic
        // iteration across modules cost a batch of receipts a third of its time.
        if let text = bytes.withContiguousStorageIfAvailable(encode(buffer:)) { return text }
        return Array(bytes).withUnsafeBufferPointer(encode(buffer:))
    }

    private static func encode(buffer: UnsafeBufferPointer<UInt8>) -> String {
        guard !buffer.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: buffer.count * 2) { out in
            encode(buffer, into: out.baseAddress!)
            return buffer.count * 2
        }
    }

    /// Writes the hex of `buffer` (twice its length) at `out`: for callers that keep text
    /// in buffers of their own (csp-kvr's rows).
    public static func encode(_ buffer: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) {
        var at = 0
        for byte in buffer {
            let high = byte >> 4, low = byte & 0x0f
            out[at] = high < 10 ? high + 48 : high + 87
            out[at + 1] = low < 10 ? low + 48 : low + 87
            at += 2
        }
    }

    /// Decodes hex (either case); nil for odd length or a non-hex character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
