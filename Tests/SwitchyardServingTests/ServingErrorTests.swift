import Testing
@testable import SwitchyardServing

@Suite struct ServingErrorTests {
    @Test func messageIsTheDescription() {
        let error = ServingError.resourceExhausted("queue of model 'cls' is full (8 requests)")
        #expect(error.kind == .resourceExhausted)
        #expect("\(error)" == "queue of model 'cls' is full (8 requests)")
    }
}
