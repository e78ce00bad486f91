import Foundation

/// Summary statistics of timing samples.
enum Statistics {
    /// The median (mean of the two middle values for an even count). `samples` must not be empty.
    static func median(_ samples: [Double]) -> Double { percentile(samples, 50) }

    /// The `p`-th percentile with linear interpolation between order statistics (NumPy's
    /// default). `samples` must not be empty.
    static func percentile(_ samples: [Double], _ p: Double) -> Double {
        precondition(!samples.isEmpty, "percentile of no samples")
        let sorted = samples.sorted()
        let position = Double(sorted.count - 1) * p / 100
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// The geometric mean of positive values. `values` must not be empty.
    static func geometricMean(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "geometric mean of no values")
        return exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
    }
}
