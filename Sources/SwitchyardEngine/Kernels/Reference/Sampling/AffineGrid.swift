import SwitchyardTensor

/// ONNX `AffineGrid` (opset 20): the sampling grid `[N, H, W, 2]` (or `[N, D, H, W, 3]`) that
/// `theta` (`[N, 2, 3]` or `[N, 3, 4]`) maps the normalized output coordinates to; it feeds
/// `GridSample`. The coordinates are ordered x (width) first.
enum AffineGrid {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "AffineGrid"
        let theta = try context.input(0), size = try context.input(1)
        let matrices = try FloatingValues.read(theta, op: op, input: "theta")
        guard !size.dataType.isFloatingPoint, size.rank == 1, size.count == 4 || size.count == 5 else {
            throw .invalidArgument("\(op): size must be an integer [N, C, H, W] or [N, C, D, H, W], got \(size.dataType) \(size.shape)")
        }
        let sizes = size.ints()
        let spatial = Array(sizes[2...])
        let rank = spatial.count   // 2 or 3
        let batch = sizes[0]
        guard theta.shape == [batch, rank, rank + 1] else {
            throw .invalidArgument("\(op): theta must be [\(batch), \(rank), \(rank + 1)] for size \(sizes), got \(theta.shape)")
        }
        guard spatial.allSatisfy({ $0 >= 0 }), batch >= 0 else {
            throw .invalidArgument("\(op): size \(sizes) has a negative dimension")
        }
        let alignCorners = try context.int("align_corners", default: 0) != 0
        // Normalized coordinates along each spatial axis, in the order (…, H, W).
        let axes = spatial.map { (length: Int) -> [Double] in
            let count = Double(length)
            return (0..<length).map { (i: Int) -> Double in
                if !alignCorners { return -1 + (2 * Double(i) + 1) / count }
                return length > 1 ? -1 + 2 * Double(i) / (count - 1) : -1
            }
        }
        let points = spatial.reduce(1, *)
        let pointStrides = ShapeMath.strides(spatial)
        var output = [Double](repeating: 0, count: batch * points * rank)
        for n in 0..<batch {
            for point in 0..<points {
                // Homogeneous coordinate (x, y[, z], 1): x is the last spatial axis.
                var homogeneous = [Double](repeating: 1, count: rank + 1)
                for axis in 0..<rank {
                    homogeneous[rank - 1 - axis] = axes[axis][(point / pointStrides[axis]) % spatial[axis]]
                }
                for row in 0..<rank {
                    var sum = 0.0
                    for col in 0...rank { sum += matrices[(n * rank + row) * (rank + 1) + col] * homogeneous[col] }
                    output[(n * points + point) * rank + row] = sum
                }
            }
        }
        return [Tensor(dataType: theta.dataType, shape: [batch] + spatial + [rank], doubles: output)]
    }
}
