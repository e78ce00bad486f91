import Testing
import SwitchyardPipeline

@Suite struct PipelineErrorTests {
    @Test func describesItselfByItsMessage() {
        #expect(PipelineError("ocr.yaml: stage 'rec': unknown model 'recognizer'").description
            == "ocr.yaml: stage 'rec': unknown model 'recognizer'")
    }
}
