import Foundation

/// What `Quantizer` did to a model: what it converted, what it kept in FP32 and why, and the
/// sizes on disk before and after (filled in when the model is written).
public struct QuantizationReport: Sendable, Codable {
    /// One converted or kept value or node, with the reason.
    public struct Entry: Sendable, Codable, Equatable {
        /// Node name (or initializer name for FP16/BF16).
        public var name: String
        public var opType: String
        public var detail: String

        public init(name: String, opType: String, detail: String) {
            self.name = name
            self.opType = opType
            self.detail = detail
        }
    }

    public var precision: QuantizationPrecision
    public var converted: [Entry] = []
    public var keptFP32: [Entry] = []
    /// Graph preparation (BatchNormalization folding…), opset changes, compute path on this CPU.
    public var notes: [String] = []
    public var sourceBytes: Int?
    public var outputBytes: Int?
    /// What the accuracy gate measured and kept, when one was asked for.
    public var accuracyGate: AccuracyGateReport?

    public init(precision: QuantizationPrecision) {
        self.precision = precision
    }

    /// `outputBytes / sourceBytes`, when both are known.
    public var sizeRatio: Double? {
        guard let source = sourceBytes, let output = outputBytes, source > 0 else { return nil }
        return Double(output) / Double(source)
    }

    /// The report as indented JSON.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }

    /// The report for a terminal: counts by op type, then every kept-FP32 item with its reason.
    public func text(listConverted: Bool = false) -> String {
        var lines = ["precision: \(precision.rawValue)"]
        if let source = sourceBytes, let output = outputBytes, let ratio = sizeRatio {
            lines.append("size on disk: \(Self.megabytes(source)) -> \(Self.megabytes(output)) (\(String(format: "%.1f", ratio * 100))% of the source)")
        }
        for note in notes { lines.append("note: \(note)") }
        lines.append("converted: \(converted.count) (\(Self.countsByOp(converted)))")
        if listConverted { for entry in converted { lines.append("  \(entry.opType) '\(entry.name)': \(entry.detail)") } }
        lines.append("kept FP32: \(keptFP32.count)\(keptFP32.isEmpty ? "" : " (\(Self.countsByOp(keptFP32)))")")
        for entry in keptFP32 { lines.append("  \(entry.opType) '\(entry.name)': \(entry.detail)") }
        if let accuracyGate { lines += accuracyGate.lines() }
        return lines.joined(separator: "\n")
    }

    private static func countsByOp(_ entries: [Entry]) -> String {
        let counts = entries.reduce(into: [String: Int]()) { $0[$1.opType, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.2f MB", Double(bytes) / 1_000_000)
    }
}
