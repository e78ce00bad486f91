import Foundation
import Testing
@testable import SwitchyardEngine

@Suite("OpenMP settings")
struct OpenMPSettingsTests {
    @Test("executables using the engine start GNU OpenMP with a short spin count unless the environment chose")
    func spinCount() {
        let environment = ProcessInfo.processInfo.environment
        if let count = OpenMPSettings.defaultSpinCount {
            // Set before libgomp read its environment, so it is what libgomp saw.
            #expect(environment["GOMP_SPINCOUNT"] == String(count))
            #expect(environment["OMP_WAIT_POLICY"] == nil)
            #expect(count <= 10_000)
        } else {
            #expect(environment["OMP_WAIT_POLICY"] != nil || environment["GOMP_SPINCOUNT"] != nil)
        }
    }
}
