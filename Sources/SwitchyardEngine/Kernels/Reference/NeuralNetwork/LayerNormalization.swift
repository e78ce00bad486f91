import SwitchyardTensor

/// ONNX `LayerNormalization` (opset 17): standardizes X over axes `[axis, rank)`, then
/// `Y = normalized * Scale + B` with Scale and B broadcast unidirectionally to X.
///
/// Outputs `Mean` and `InvStdDev` (shape `[d0, …, d(axis-1), 1, …, 1]`) have the type named by
/// `stash_type` (float by default). Statistics are accumulated in double whatever the type;
/// float32 and float64 inputs are read in place, the 16-bit types widened to float.
enum LayerNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "LayerNormalization"
        let x = try context.input(0)
        let scale = try context.input(1)
        let bias = context.optionalInput(2)
        try NormalizationMath.requireFloatingPoint(x, op, "X")
        try NormalizationMath.requireFloatingPoint(scale, op, "Scale")
        if let bias { try NormalizationMath.requireFloatingPoint(bias, op, "B") }
        guard x.rank >= 1 else { throw .invalidArgument("\(op): X must have rank ≥ 1, got a scalar") }
        let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: -1), rank: x.rank, op: op)
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        let stashCode = try context.int("stash_type", default: 1)
        guard let stashType = DataType(rawValue: Int32(clamping: stashCode)), stashType.isFloatingPoint else {
            throw .invalidArgument("\(op): stash_type \(stashCode) is not a floating-point type code (1 = float)")
        }

        let rows = x.shape[..<axis].reduce(1, *)
        let cols = x.shape[axis...].reduce(1, *)
        let scaleMap = try ParameterMap(scale, name: "Scale", x: x, axis: axis)
        let biasMap = try bias.map { (b) throws(KernelError) in try ParameterMap(b, name: "B", x: x, axis: axis) }

        var statistics: (mean: [Double], invStdDev: [Double]) = ([], [])
        let y = NormalizationMath.mapFloatingPoint(
            x,
            float: { statistics = normalize($0, $1, rows: rows, cols: cols, epsilon: epsilon, scale: scaleMap, bias: biasMap) },
            double: { statistics = normalize($0, $1, rows: rows, cols: cols, epsilon: epsilon, scale: scaleMap, bias: biasMap) })

        let statisticsShape = Array(x.shape[..<axis]) + [Int](repeating: 1, count: x.rank - axis)
        let mean = Tensor(dataType: stashType, shape: statisticsShape, doubles: statistics.mean)
        let invStdDev = Tensor(dataType: stashType, shape: statisticsShape, doubles: statistics.invStdDev)
        return Array([y, mean, invStdDev].prefix(max(1, context.node.outputs.count)))
    }

    /// A Scale or B tensor laid out for row-wise use: the value for element `(row, col)` is
    /// `values[row * rowStride + col]`. `rowStride` is 0 when the parameter does not vary with
    /// the leading (non-normalized) axes, the usual case.
    struct ParameterMap {
        let values: [Double]
        let rowStride: Int

        init(_ parameter: Tensor, name: String, x: Tensor, axis: Int) throws(KernelError) {
            let op = "LayerNormalization"
            guard parameter.rank <= x.rank else {
                throw .invalidArgument("\(op): \(name) of shape \(parameter.shape) has a higher rank than X \(x.shape)")
            }
            let padded = [Int](repeating: 1, count: x.rank - parameter.rank) + parameter.shape
            for (dim, target) in zip(padded, x.shape) where dim != target && dim != 1 {
                throw .invalidArgument("\(op): \(name) of shape \(parameter.shape) does not broadcast to X \(x.shape)")
            }
            let raw = parameter.doubles()
            let cols = x.shape[axis...].reduce(1, *)
            if padded[..<axis].allSatisfy({ $0 == 1 }) {
                let trailing = Array(x.shape[axis...])
                let indices = ShapeMath.broadcastIndices(from: Array(padded[axis...]), to: trailing)
                values = indices.map { raw[$0] }
                rowStride = 0
            } else {
                values = ShapeMath.broadcastIndices(from: padded, to: x.shape).map { raw[$0] }
                rowStride = cols
            }
        }
    }

    private static func normalize<T: BinaryFloatingPoint>(
        _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int,
        epsilon: Double, scale: ParameterMap, bias: ParameterMap?
    ) -> (mean: [Double], invStdDev: [Double]) {
        let statistics = NormalizationMath.rowStatistics(x, rows: rows, cols: cols, epsilon: epsilon)
        let scaleValues = scale.values.map { T($0) }
        let biasValues = bias?.values.map { T($0) } ?? []
        let biasStride = bias?.rowStride ?? 0
        for row in 0..<rows {
            let base = row * cols
            let mean = T(statistics.mean[row]), invStdDev = T(statistics.invStdDev[row])
            let scaleBase = row * scale.rowStride, biasBase = row * biasStride
            if biasValues.isEmpty {
                for col in 0..<cols {
                    y[base + col] = (x[base + col] - mean) * invStdDev * scaleValues[scaleBase + col]
                }
            } else {
                for col in 0..<cols {
                    y[base + col] = (x[base + col] - mean) * invStdDev * scaleValues[scaleBase + col]
                        + biasValues[biasBase + col]
                }
            }
        }
        return statistics
    }
}
