import Foundation
import SwitchyardTensor

/// StringNormalizer (opset 10) as ONNX's reference computes it, for `[C]` and `[R, C]` inputs:
/// accents are stripped (NFKD, combining marks dropped); space-separated words listed in
/// `stopwords` are removed — before the case change when `is_case_sensitive`, after it (against
/// stop words with the same case change) otherwise; `case_change_action` is NONE, LOWER or
/// UPPER. For `[C]` and `[1, C]` inputs, strings left empty are dropped (one empty string
/// remains when all are).
enum StringNormalizerKernel {
    enum CaseChange: String {
        case none = "NONE", lower = "LOWER", upper = "UPPER"

        func apply(_ text: String) -> String {
            switch self {
            case .none: text
            case .lower: text.lowercased()
            case .upper: text.uppercased()
            }
        }
    }

    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        guard x.dataType == .string else {
            throw KernelError.invalidArgument("\(op): X must be a string tensor, got \(x.dataType)")
        }
        guard x.rank == 1 || x.rank == 2 else {
            throw KernelError.invalidArgument("\(op): X must have shape [C] or [1, C], got \(x.shape)")
        }
        let actionText = try context.string("case_change_action", default: "NONE")
        guard let action = CaseChange(rawValue: actionText) else {
            throw KernelError.invalidArgument("\(op): case_change_action '\(actionText)' is not NONE, LOWER or UPPER")
        }
        let caseSensitive = try context.int("is_case_sensitive", default: 0) != 0
        let stopwords = try context.strings("stopwords") ?? []
        let rawStops = Set(stopwords), changedStops = Set(stopwords.map(action.apply))
        let normalized = x.strings.map { text in
            var result = stripAccents(text)
            if caseSensitive && !rawStops.isEmpty { result = removeWords(result, rawStops) }
            result = action.apply(result)
            if !caseSensitive && !changedStops.isEmpty { result = removeWords(result, changedStops) }
            return result
        }
        guard x.rank == 1 || x.shape[0] == 1 else { return [Tensor(shape: x.shape, strings: normalized)] }
        var kept = normalized.filter { !$0.isEmpty }
        if kept.isEmpty { kept = [""] }
        return [Tensor(shape: x.rank == 1 ? [kept.count] : [1, kept.count], strings: kept)]
    }

    /// Compatibility decomposition with combining marks removed (scikit-learn's
    /// `strip_accents_unicode`).
    static func stripAccents(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy(\.isASCII) { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCompatibilityMapping.unicodeScalars
        where scalar.properties.canonicalCombiningClass == .notReordered {
            result.append(scalar)
        }
        return String(result)
    }

    private static func removeWords(_ text: String, _ stops: Set<String>) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            .filter { !stops.contains($0) }.joined(separator: " ")
    }
}
