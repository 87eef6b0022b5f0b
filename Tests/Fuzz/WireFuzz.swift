// libFuzzer harness for the NeuroWire decoder, compiled together with Sources/NeuroWire by
// Tests/Fuzz/run-wire-fuzz.sh (`swiftc -sanitize=fuzzer,address`).
//
// The first input byte picks what the rest is:
//   even: a raw message frame — exercises the header checks and, rarely, what lies past them;
//   odd:  byte 1 = kind, byte 2 = flags, byte 3 = minor version, the rest = a payload, sealed
//         into a frame with a correct length and CRC — so the payload parsers (spike sets,
//         Rice streams, varints, text, rows, zlib) see arbitrary bytes.
// Every input must decode or throw a WireError; whatever decodes must re-encode and decode to
// the same envelope (and, uncompressed with the current minor version, to the same bytes).

@_cdecl("LLVMFuzzerTestOneInput")
public func wireFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var frame: [UInt8]
    if input[0] & 1 == 0 {
        frame = Array(input.dropFirst())
    } else {
        guard size >= 4 else { return 0 }
        frame = [0x4E, 0x42, 1, input[3] & 0x03, input[1], input[2] & 0x1F, 1, 0, 7, 0, 0, 0]
        let payload = input.dropFirst(4)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: [0, 0, 0, 0])
        frame.append(contentsOf: payload)
        let crc = frame.withUnsafeBytes { WireCRC.frame($0) }
        withUnsafeBytes(of: crc.littleEndian) { raw in
            for i in 0..<4 { frame[16 + i] = raw[i] }
        }
    }
    let envelope: WireEnvelope
    do {
        envelope = try WireDecoder.decode(frame)
    } catch {
        // A typed error is the right answer; make sure its text can be built.
        _ = error.description
        return 0
    }
    _ = envelope.json.rendered()
    var encoder = WireEncoder()
    let again: [UInt8]
    do {
        again = try encoder.encode(envelope)
    } catch {
        fatalError("a decoded message failed to re-encode: \(error)")
    }
    guard let second = try? WireDecoder.decode(again) else {
        fatalError("a re-encoded message failed to decode")
    }
    var expected = envelope
    expected.minorVersion = WireFormat.minorVersion
    guard second == expected else { fatalError("decode(encode(decode(x))) differs from decode(x)") }
    if !envelope.flags.contains(.compressed), envelope.minorVersion == WireFormat.minorVersion, again != frame {
        fatalError("a canonical frame re-encoded to different bytes")
    }
    return 0
}
