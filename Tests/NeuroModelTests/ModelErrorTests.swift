import NeuroModel
import Testing

@Suite struct ModelErrorTests {
    @Test func errorsNameTheBadValue() {
        let e = ModelError.invalidParameter(name: "population[0].tau_m", value: "0.5", expected: "2...100 ms")
        #expect(e.description == "population[0].tau_m = 0.5 is invalid: expected 2...100 ms")
    }
}
