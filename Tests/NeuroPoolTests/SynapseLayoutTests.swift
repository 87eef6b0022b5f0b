import Testing
@testable import NeuroPool

@Suite("Memory layout")
struct SynapseLayoutTests {
    @Test func synapseIsEightBytes() {
        #expect(MemoryLayout<Synapse>.size == 8)
        #expect(MemoryLayout<Synapse>.stride == 8)
        #expect(SynapseStore.bytesPerSynapse == 8)
    }

    @Test func neuronStateIsEightBytesAcrossTheSixArrays() {
        func elementSize<T>(_: ContiguousArray<T>) -> Int { MemoryLayout<T>.size }
        let a = NeuronArrays(flags: [0, 1, 2])
        let total = elementSize(a.membrane) + elementSize(a.threshold) + elementSize(a.leak)
            + elementSize(a.refractory) + elementSize(a.flags) + elementSize(a.trace)
        #expect(NeuronArrays.bytesPerNeuron == 8)
        #expect(total == NeuronArrays.bytesPerNeuron)
        #expect(a.count == 3)
    }

    @Test func packedFieldPositionsMatchTheFileLayout() {
        let s = Synapse(target: 0xBEEF, weight: -2, delay: 7, eligibility: -128, maturity: 0xA5, reserved: 0x1234)
        let v = s.packed
        #expect(v & 0xFFFF == 0xBEEF)
        #expect((v >> 16) & 0xFF == 0xFE)   // -2 as a byte
        #expect((v >> 24) & 0xFF == 7)
        #expect((v >> 32) & 0xFF == 0x80)   // -128 as a byte
        #expect((v >> 40) & 0xFF == 0xA5)
        #expect(v >> 48 == 0x1234)
    }

    @Test func packedRoundTripsEveryFieldExtreme() {
        let targets: [UInt16] = [0, 1, 0x7FFF, 0xFFFF]
        let weights: [Int8] = [.min, -1, 0, 1, .max]
        let bytes: [UInt8] = [0, 1, 0x80, 0xFF]
        for t in targets {
            for w in weights {
                for b in bytes {
                    let s = Synapse(target: t, weight: w, delay: b, eligibility: Int8(bitPattern: b &+ 3),
                                    maturity: b ^ 0x5A, reserved: UInt16(b) << 8 | UInt16(t & 0xFF))
                    #expect(Synapse(packed: s.packed) == s)
                }
            }
        }
    }

    @Test func unpackThenPackIsIdentityOnArbitraryWords() {
        var r = PoolRandom(seed: 99)
        for _ in 0 ..< 2000 {
            let v = r.next()
            #expect(Synapse(packed: v).packed == v)
        }
    }

    @Test func inMemoryLayoutEqualsPackedWord() {
        // The tick's eligibility decay treats each stored synapse as its packed 64-bit word,
        // so the in-memory layout must be the packed layout.
        let s = Synapse(target: 0x0102, weight: -3, delay: 5, eligibility: 77, maturity: 0x31, reserved: 0)
        let word = withUnsafeBytes(of: s) { $0.loadUnaligned(as: UInt64.self) }
        #expect(UInt64(littleEndian: word) == s.packed)
    }

    @Test func newSynapseDefaults() {
        let s = Synapse(target: 3, weight: 10, delay: 2)
        #expect(s.eligibility == 0)
        #expect(s.maturity == Maturity.newborn)
        #expect(s.reserved == 0)
        #expect(s.thermalState == .hot)
    }
}
