import ArgumentParser
import Foundation
import SwitchyardEngine

/// `switchyard conformance DIR`: runs ONNX's node conformance cases.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run ONNX's node conformance cases (folders with model.onnx and test_data_set_*).",
        discussion: "Prints a row per failing case and ends with 'N passed, N failed, N skipped'. Generate the cases with scripts/generate-conformance.sh."
    )

    @Argument(help: "Folder of case folders (e.g. .cache/conformance).")
    var directory: String

    @Option(help: "Run only cases whose name contains this text (repeatable).")
    var filter: [String] = []

    @Flag(help: "Also print passing and skipped cases.")
    var verbose = false

    @Flag(help: "Use the reference kernels only.")
    var referenceOnly = false

    @Flag(help: "Print one JSON object with every case's outcome.")
    var json = false

    func run() throws {
        let runner = ConformanceRunner(sessionOptions: SessionOptions(threads: 1, referenceOnly: referenceOnly))
        let cases = try ConformanceRunner.caseDirectories(in: directory).filter { path in
            filter.isEmpty || filter.contains { (path as NSString).lastPathComponent.contains($0) }
        }
        var outcomes: [ConformanceOutcome] = []
        for path in cases {
            let outcome = runner.run(caseAt: path)
            outcomes.append(outcome)
            if !json && (outcome.status == .failed || verbose) {
                print("\(outcome.status.rawValue.uppercased()) \(outcome.name): \(outcome.detail)")
            }
        }
        let counts = Dictionary(grouping: outcomes, by: \.status).mapValues(\.count)
        let passed = counts[.passed] ?? 0, failed = counts[.failed] ?? 0, skipped = counts[.skipped] ?? 0
        if json {
            let rows = outcomes.map { ["name": $0.name, "status": $0.status.rawValue, "detail": $0.detail] }
            let object: [String: Any] = ["passed": passed, "failed": failed, "skipped": skipped, "cases": rows]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(passed) passed, \(failed) failed, \(skipped) skipped")
        }
    }
}
