/// `v` as lowercase hex, zero-padded to `digits` (16: ids and hashes; 8: CRCs).
public func hex(_ v: UInt64, digits: Int = 16) -> String {
    let text = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
