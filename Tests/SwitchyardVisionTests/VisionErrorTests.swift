import Testing
import SwitchyardVision

@Suite struct VisionErrorTests {
    @Test func describesItselfByItsMessage() {
        #expect(VisionError.undecodable("page.png: not a PNG or JPEG file").description == "page.png: not a PNG or JPEG file")
    }
}
