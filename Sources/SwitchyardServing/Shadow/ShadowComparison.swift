import SwitchyardTensor

/// How one output of the served model compares with the reference's on one sample.
struct ShadowComparison: Sendable, Equatable {
    /// What agreement counts: rows (argmax) or elements (tolerance).
    var units = 0
    var agreeingUnits = 0
    /// Elements whose absolute error is finite (they enter the error figures).
    var elements = 0
    var absoluteErrorSum = 0.0
    var maxAbsoluteError = 0.0

    /// The metric `metric` means for an output of `shape` (as the client receives it).
    static func resolve(_ metric: ShadowSettings.Metric, shape: [Int]) -> ShadowSettings.Metric {
        guard metric == .auto else { return metric }
        return shape.count == 2 && shape[1] >= 2 ? .argmax : .tolerance
    }

    /// Compares `served` (client shape) with `reference` element by element in order. Errors
    /// name the output; a difference that is not finite (NaN on one side, ∞) counts as a
    /// disagreement and stays out of the error figures.
    static func compare(served: Tensor, reference: Tensor, output: String, metric: ShadowSettings.Metric,
                        tolerance: Double) throws(ServingError) -> ShadowComparison {
        guard served.dataType != .string, reference.dataType != .string else {
            throw .invalidArgument("output '\(output)' holds strings; shadow evaluation compares numbers only")
        }
        guard served.count == reference.count else {
            throw .invalidArgument("output '\(output)': the served model returned \(served.shape) and the reference \(reference.shape); they must have as many elements")
        }
        let ours = served.doubles(), theirs = reference.doubles()
        var result = ShadowComparison()
        var withinTolerance = 0
        for (a, b) in zip(ours, theirs) {
            let error = abs(a - b)
            if error.isFinite {
                result.elements += 1
                result.absoluteErrorSum += error
                result.maxAbsoluteError = max(result.maxAbsoluteError, error)
                if error <= tolerance { withinTolerance += 1 }
            } else if a.isNaN && b.isNaN {
                withinTolerance += 1
            }
        }
        switch resolve(metric, shape: served.shape) {
        case .argmax:
            let classes = max(1, served.shape.last ?? 1)
            let rows = ours.count / classes
            result.units = rows
            for row in 0..<rows {
                let range = row * classes ..< (row + 1) * classes
                if argmax(ours[range]) == argmax(theirs[range]) { result.agreeingUnits += 1 }
            }
        case .tolerance, .auto:
            result.units = ours.count
            result.agreeingUnits = withinTolerance
        }
        return result
    }

    /// Index of the largest value, the first on ties (NumPy's argmax); NaN never wins.
    private static func argmax(_ values: ArraySlice<Double>) -> Int {
        var best = values.startIndex
        for index in values.indices where values[index] > values[best] || values[best].isNaN && !values[index].isNaN {
            best = index
        }
        return best - values.startIndex
    }
}
