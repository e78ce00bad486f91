import Foundation
import SwitchyardEngine

/// The text `bench --profile` prints: milliseconds per run by op type (a oneDNN region as one
/// step, then regions broken down into the op types of the nodes they compute), then the
/// slowest nodes (regions broken down, `StepProfile.detail`).
enum StepProfileReport {
    static func text(_ profile: StepProfile, runs: Int, rows: Int = 15) -> String {
        let perRun = 1000 / Double(max(runs, 1))
        let total = profile.byOpType.reduce(0) { $0 + $1.seconds }
        var lines = [String(format: "  per run: %.3f ms in nodes; by op type:", total * perRun)]
        func appendShares(_ entries: [StepProfile.Entry]) {
            for entry in entries.prefix(rows) {
                lines.append(String(format: "  %9.3f ms %5.1f%%  %4d×  ", entry.seconds * perRun,
                                    100 * entry.seconds / max(total, 1e-12), entry.calls / max(runs, 1))
                             + entry.opType.prefix(120))
            }
        }
        appendShares(profile.byOpType)
        lines.append("  by node op type, oneDNN regions broken down:")
        appendShares(profile.detailByOpType)
        lines.append("  slowest nodes:")
        for entry in profile.detail.sorted(by: { $0.seconds > $1.seconds }).prefix(rows) {
            lines.append(String(format: "  %9.3f ms  ", entry.seconds * perRun) + entry.node + "  " + entry.opType.prefix(80))
        }
        return lines.joined(separator: "\n")
    }
}
