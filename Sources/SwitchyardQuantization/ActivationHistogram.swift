import Foundation

/// A histogram of |x| over `[0, limit]` in equal bins, filled across calibration samples; the
/// percentile and entropy calibrations choose a clipping threshold from it.
public struct ActivationHistogram: Sendable {
    public private(set) var counts: [Double]
    public let limit: Float

    /// `limit` is the largest |x| seen (from a first min/max pass); ONNX Runtime and TensorRT use
    /// 2048 bins.
    public init(limit: Float, bins: Int = 2048) {
        precondition(bins > 0)
        self.limit = limit
        counts = [Double](repeating: 0, count: bins)
    }

    public var binWidth: Float { limit / Float(counts.count) }

    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        guard limit > 0 else {
            counts[0] += Double(values.count)
            return
        }
        let bins = counts.count
        let perBin = Float(bins) / limit
        counts.withUnsafeMutableBufferPointer { counts in
            for value in values where value.isFinite {
                counts[min(Int(abs(value) * perBin), bins - 1)] += 1
            }
        }
    }

    public mutating func add(_ values: [Float]) {
        values.withUnsafeBufferPointer { add($0) }
    }

    /// The smallest threshold below which `percentile`% of |x| falls (a bin's upper edge).
    public func percentileThreshold(_ percentile: Double) -> Float {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let target = total * min(max(percentile, 0), 100) / 100
        var cumulative = 0.0
        for (bin, count) in counts.enumerated() {
            cumulative += count
            if cumulative >= target { return Float(bin + 1) * binWidth }
        }
        return limit
    }

    /// The threshold that minimises KL(P‖Q), where P is the histogram clipped at the threshold
    /// (outliers folded into the last bin) and Q is P merged into `quantizedBins` levels and
    /// expanded back (TensorRT's calibration, as ONNX Runtime's entropy method).
    public func entropyThreshold(quantizedBins: Int = 128) -> Float {
        let bins = counts.count
        guard bins > quantizedBins, counts.contains(where: { $0 > 0 }) else { return limit }
        var suffix = [Double](repeating: 0, count: bins + 1)
        for bin in stride(from: bins - 1, through: 0, by: -1) { suffix[bin] = suffix[bin + 1] + counts[bin] }
        var best = (divergence: Double.infinity, end: bins)
        var reference = [Double](repeating: 0, count: bins)
        var expanded = [Double](repeating: 0, count: bins)
        for end in quantizedBins...bins {
            for bin in 0..<end { reference[bin] = counts[bin] }
            reference[end - 1] += suffix[end]
            // Merge counts[0..<end] into quantizedBins chunks; spread each chunk's total over its
            // non-empty bins.
            let chunk = Double(end) / Double(quantizedBins)
            for level in 0..<quantizedBins {
                let start = Int((Double(level) * chunk).rounded(.down))
                let stop = level == quantizedBins - 1 ? end : Int((Double(level + 1) * chunk).rounded(.down))
                var total = 0.0, nonEmpty = 0
                for bin in start..<stop where counts[bin] > 0 {
                    total += counts[bin]
                    nonEmpty += 1
                }
                let share = nonEmpty > 0 ? total / Double(nonEmpty) : 0
                for bin in start..<stop { expanded[bin] = counts[bin] > 0 ? share : 0 }
            }
            let divergence = Self.klDivergence(reference, expanded, count: end)
            if divergence < best.divergence { best = (divergence, end) }
        }
        return Float(best.end) * binWidth
    }

    /// KL(p‖q) of the first `count` bins, each normalised; q is smoothed where p has mass
    /// and q has none (ONNX Runtime's `smooth_distribution`).
    static func klDivergence(_ p: [Double], _ q: [Double], count: Int) -> Double {
        var pTotal = 0.0, qTotal = 0.0
        for bin in 0..<count {
            pTotal += p[bin]
            qTotal += q[bin]
        }
        guard pTotal > 0, qTotal > 0 else { return .infinity }
        let epsilon = 1e-4 / Double(count)
        var divergence = 0.0
        for bin in 0..<count where p[bin] > 0 {
            let pValue = p[bin] / pTotal
            let qValue = max(q[bin] / qTotal, epsilon)
            divergence += pValue * log(pValue / qValue)
        }
        return divergence
    }
}
