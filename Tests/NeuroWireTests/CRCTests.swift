import Testing
@testable import NeuroWire

@Suite("Frame CRC")
struct CRCTests {
    @Test("The check value of CRC-32/ISO-HDLC")
    func checkValue() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { WireCRC.checksum($0) } == 0xCBF4_3926)
    }

    @Test("Folding equals the byte-wise table at every length 0…1100 and every start offset 0…15")
    func foldingMatchesTable() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let data: [UInt8] = (0..<1200).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        var mismatches: [String] = []
        data.withUnsafeBytes { all in
            for offset in 0..<16 {
                for length in stride(from: 0, through: 1100, by: offset == 0 ? 1 : 7) {
                    let bytes = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    let expected = TestCRC32.update(0, data[offset..<(offset + length)])
                    let folded = WireCRC.checksum(bytes)
                    let tabled = WireCRC.checksum(bytes, folding: false)
                    if folded != expected || tabled != expected {
                        mismatches.append("offset \(offset) length \(length): fold \(folded) table \(tabled) reference \(expected)")
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
