import Foundation
import SwitchyardTensor

/// ONNX `LRN` (local response normalization across channels, opsets 1, 13):
/// `Y[n, c, …] = X[n, c, …] / (bias + alpha / size * Σ X[n, i, …]²) ^ beta`, the sum over
/// channels `i` from `c - floor((size - 1) / 2)` to `c + ceil((size - 1) / 2)`, clipped to
/// `[0, C)`.
enum LRN {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "LRN"
        let x = try context.input(0)
        try NormalizationMath.requireFloatingPoint(x, op, "X")
        guard x.rank >= 3 else {
            throw .invalidArgument("\(op): X must have rank ≥ 3 (N x C x D1 ...), got shape \(x.shape)")
        }
        guard let size = try context.int("size"), size > 0 else {
            throw .invalidArgument("\(op): attribute size is required and must be positive")
        }
        let alpha = Double(try context.float("alpha", default: 1e-4))
        let beta = Double(try context.float("beta", default: 0.75))
        let bias = Double(try context.float("bias", default: 1))

        let values = x.doubles()
        let batch = x.shape[0], channels = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        let before = (size - 1) / 2
        let after = size - 1 - before
        var result = [Double](repeating: 0, count: values.count)
        for n in 0..<batch {
            for c in 0..<channels {
                let low = max(0, c - before), high = min(channels - 1, c + after)
                for i in 0..<inner {
                    var squareSum = 0.0
                    for neighbour in stride(from: low, through: high, by: 1) {
                        let value = values[(n * channels + neighbour) * inner + i]
                        squareSum += value * value
                    }
                    let index = (n * channels + c) * inner + i
                    result[index] = values[index] / pow(bias + alpha / Double(size) * squareSum, beta)
                }
            }
        }
        return [Tensor(dataType: x.dataType, shape: x.shape, doubles: result)]
    }
}
