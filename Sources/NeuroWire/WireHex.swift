/// The hex text form of frames used by the vector files and `neurobus wire decode`.
public enum WireHex {
    /// Bytes from hex text; whitespace anywhere is ignored. `nil` if a character is not a hex
    /// digit or the digit count is odd. O(n).
    public static func parse(_ text: some Sequence<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }

    /// Lower-case hex of `bytes`, `lineWidth` hex digits per line, each line ending in a
    /// newline. O(n).
    public static func format(_ bytes: [UInt8], lineWidth: Int = 64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2 + bytes.count / 32 + 1)
        for (index, byte) in bytes.enumerated() {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
            if (index + 1) * 2 % lineWidth == 0 || index + 1 == bytes.count { out.append(UInt8(ascii: "\n")) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
