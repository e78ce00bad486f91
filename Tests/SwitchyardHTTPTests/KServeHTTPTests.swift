import Testing
@testable import SwitchyardHTTP

@Suite struct KServeHTTPTests {
    @Test func moduleLinks() {
        #expect(String(describing: KServeHTTP.self) == "KServeHTTP")
    }
}
