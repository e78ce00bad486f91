import Foundation
import Testing
import SwitchyardEngine

/// ONNX's node conformance cases (written by scripts/generate-conformance.sh): every case whose
/// operators all have kernels must pass, and the total must stay above the issue's target.
@Suite struct ConformanceSuiteTests {
    /// Cases of supported operators that fail, each with the reason it is accepted for now.
    static let knownFailures: [String: String] = {
        var failures: [String: String] = [:]
        for name in ["test_dft_inverse", "test_dft_inverse_opset19"] {
            failures[name] = "an exactly-zero element: the engine's double-precision DFT gives 3e-15, ONNX's file holds float32 noise (1.9e-7), just past atol 1e-7"
        }
        return failures
    }()

    @Test func everyCaseOfASupportedOperatorPasses() throws {
        let root = TestPaths.conformance
        try #require(FileManager.default.fileExists(atPath: root + "/.complete"),
                     "no conformance cases at \(root): run scripts/setup.sh")
        let runner = ConformanceRunner()
        var counts: [ConformanceOutcome.Status: Int] = [:]
        for directory in try ConformanceRunner.caseDirectories(in: root) {
            let outcome = runner.run(caseAt: directory)
            counts[outcome.status, default: 0] += 1
            if outcome.status == .failed && outcome.missingOperators.isEmpty
                && Self.knownFailures[outcome.name] == nil {
                Issue.record("\(outcome.name): \(outcome.detail)")
            }
        }
        let passed = counts[.passed] ?? 0
        print("conformance: \(passed) passed, \(counts[.failed] ?? 0) failed, \(counts[.skipped] ?? 0) skipped")
        #expect(passed >= 1400, "only \(passed) of ONNX's conformance cases pass; the target is 1,400")
    }
}
