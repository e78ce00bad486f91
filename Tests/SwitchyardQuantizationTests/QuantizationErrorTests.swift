import Testing
import SwitchyardQuantization

@Suite struct QuantizationErrorTests {
    @Test func describesItselfByItsMessage() {
        #expect(QuantizationError("calib/0.npy: shape [1, 3, 32, 32], expected [1, 3, 48, 192]").description
            == "calib/0.npy: shape [1, 3, 32, 32], expected [1, 3, 48, 192]")
    }
}
