import Foundation
import SwitchyardTensor
import SwitchyardVision

/// One model's score on one sample, before averaging over the set.
struct SampleScore {
    /// The metric's value on this sample (a percentage for accuracy-like metrics).
    var value: Double
    /// Character edits and label characters (ctc-exact only), for the character error rate.
    var characterEdits = 0
    var characters = 0
    /// Metrics pooled over the set rather than averaged per sample (detection, mask-f1, text-boxes): this
    /// sample's matches and total, F1 = Σ hits / Σ total.
    var pooled: (hits: Double, total: Double)?
}

/// Scores one model's outputs on one sample against the label or the reference's outputs.
struct SampleScorer {
    let metric: ValidationMetric
    let labels: [String]?
    let decoder: CTCGreedyDecoder?
    /// Output names in the reference's order; the first is the one argmax and CTC read.
    let outputNames: [String]

    func score(_ outputs: [String: Tensor], reference: [String: Tensor], sample: Int,
               sampleName: String) throws(QuantizationError) -> SampleScore {
        let first = outputNames[0]
        guard let output = outputs[first], let referenceOutput = reference[first] else {
            throw QuantizationError("sample '\(sampleName)': output '\(first)' is missing")
        }
        switch metric {
        case .top1 where labels != nil:
            guard let label = Int(labels![sample].trimmingCharacters(in: .whitespaces)) else {
                throw QuantizationError("label '\(labels![sample])' of sample '\(sampleName)' is not an integer class index (top1 needs one)")
            }
            let predicted = Self.argmaxRows(output)
            guard predicted.count == 1 else {
                throw QuantizationError("top1 with labels needs one row per sample, but output '\(first)' of sample '\(sampleName)' has shape \(output.shape)")
            }
            return SampleScore(value: predicted[0] == label ? 100 : 0)
        case .top1, .agreement:
            let ours = Self.argmaxRows(output), theirs = Self.argmaxRows(referenceOutput)
            guard ours.count == theirs.count, !ours.isEmpty else {
                throw QuantizationError("sample '\(sampleName)': output '\(first)' has shape \(output.shape) but the reference's has \(referenceOutput.shape)")
            }
            let agreeing = zip(ours, theirs).filter { $0 == $1 }.count
            return SampleScore(value: 100 * Double(agreeing) / Double(ours.count))
        case .cosine:
            let (a, b) = try flattened(outputs, reference, sampleName: sampleName)
            var dot = 0.0, normA = 0.0, normB = 0.0
            for (x, y) in zip(a, b) {
                dot += x * y
                normA += x * x
                normB += y * y
            }
            let denominator = (normA * normB).squareRoot()
            return SampleScore(value: denominator == 0 ? (normA == normB ? 1 : 0) : dot / denominator)
        case .mae:
            let (a, b) = try flattened(outputs, reference, sampleName: sampleName)
            let total = zip(a, b).reduce(0.0) { $0 + abs($1.0 - $1.1) }
            return SampleScore(value: a.isEmpty ? 0 : total / Double(a.count))
        case .ctcExact:
            // Leading and trailing spaces are ignored: PP-OCR often reads the left margin as " ".
            let text = try decode(output, sampleName: sampleName).trimmingCharacters(in: .whitespaces)
            let truth: String
            if let labels {
                truth = labels[sample].trimmingCharacters(in: .whitespaces)
            } else {
                truth = try decode(referenceOutput, sampleName: sampleName).trimmingCharacters(in: .whitespaces)
            }
            let edits = TextDistance.levenshtein(text, truth)
            return SampleScore(value: text == truth ? 100 : 0, characterEdits: edits, characters: truth.count)
        case .detection:
            let agreement = try DetectionAgreement.yolo(output, reference: referenceOutput, sampleName: sampleName)
            return SampleScore(value: agreement.f1, pooled: (agreement.hits, agreement.total))
        case .maskF1:
            let agreement = try DetectionAgreement.mask(output, reference: referenceOutput, sampleName: sampleName)
            return SampleScore(value: agreement.f1, pooled: (agreement.hits, agreement.total))
        case .textBoxes:
            let agreement = try DetectionAgreement.textBoxes(output, reference: referenceOutput, sampleName: sampleName)
            return SampleScore(value: agreement.f1, pooled: (agreement.hits, agreement.total))
        }
    }

    private func decode(_ output: Tensor, sampleName: String) throws(QuantizationError) -> String {
        guard let decoder else { throw QuantizationError("ctc-exact needs a character dictionary") }
        do {
            let lines = try decoder.decode(output.dataType == .float32 ? output : output.converted(to: .float32))
            return lines.map(\.text).joined(separator: "\n")
        } catch {
            throw QuantizationError("sample '\(sampleName)': cannot CTC-decode output '\(outputNames[0])': \(error)")
        }
    }

    private func flattened(_ outputs: [String: Tensor], _ reference: [String: Tensor],
                           sampleName: String) throws(QuantizationError) -> ([Double], [Double]) {
        var a: [Double] = [], b: [Double] = []
        for name in outputNames {
            guard let ours = outputs[name], let theirs = reference[name], ours.shape == theirs.shape else {
                throw QuantizationError("sample '\(sampleName)': output '\(name)' differs in shape from the reference's (\(outputs[name]?.shape ?? []) vs \(reference[name]?.shape ?? []))")
            }
            a += ours.doubles()
            b += theirs.doubles()
        }
        return (a, b)
    }

    /// Argmax along the last axis for every row (first index wins ties, as NumPy's argmax).
    static func argmaxRows(_ tensor: Tensor) -> [Int] {
        guard let width = tensor.shape.last, width > 0 else { return [] }
        let values = tensor.doubles()
        return stride(from: 0, to: values.count, by: width).map { start in
            var best = start
            for index in start..<(start + width) where values[index] > values[best] { best = index }
            return best - start
        }
    }
}

/// Largest and mean absolute error of each output over the samples seen.
struct OutputErrorAccumulator {
    private var maxima: [String: Double] = [:]
    private var sums: [String: Double] = [:]
    private var counts: [String: Int] = [:]

    mutating func add(_ outputs: [String: Tensor], reference: [String: Tensor]) {
        for (name, theirs) in reference {
            guard let ours = outputs[name], ours.shape == theirs.shape, ours.dataType != .string else {
                maxima[name] = .infinity
                continue
            }
            var maximum = maxima[name] ?? 0, sum = 0.0
            for (a, b) in zip(ours.doubles(), theirs.doubles()) {
                let difference = abs(a - b)
                maximum = max(maximum, difference.isNaN ? .infinity : difference)
                sum += difference
            }
            maxima[name] = maximum
            sums[name, default: 0] += sum
            counts[name, default: 0] += ours.count
        }
    }

    func errors(order: [String]) -> [OutputError] {
        order.map { name in
            let count = counts[name] ?? 0
            return OutputError(name: name, maxAbsoluteError: maxima[name] ?? 0,
                               meanAbsoluteError: count == 0 ? (maxima[name] ?? 0) : (sums[name] ?? 0) / Double(count))
        }
    }
}
