import SwitchyardTensor

/// ONNX `MeanVarianceNormalization` (opsets 9, 13): `Y = (X - E[X]) / (sqrt(Var[X]) + 1e-9)`
/// with mean and population variance taken over `axes` (default `[0, 2, 3]`). The `1e-9`
/// follows the operator's function definition.
enum MeanVarianceNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "MeanVarianceNormalization"
        let x = try context.input(0)
        try NormalizationMath.requireFloatingPoint(x, op, "X")
        let requested = try context.ints("axes") ?? [0, 2, 3]
        var axes = Set<Int>()
        for axis in requested {
            let resolved = try ShapeMath.normalizedAxis(axis, rank: x.rank, op: op)
            guard axes.insert(resolved).inserted else {
                throw .invalidArgument("\(op): axis \(axis) appears more than once in axes \(requested)")
            }
        }
        let values = x.doubles()
        let statistics = NormalizationMath.groupedStatistics(values, shape: x.shape, reduced: axes)
        var result = [Double](repeating: 0, count: values.count)
        for (index, value) in values.enumerated() {
            let group = statistics.groupOfElement[index]
            result[index] = (value - statistics.mean[group]) / (statistics.variance[group].squareRoot() + 1e-9)
        }
        return [Tensor(dataType: x.dataType, shape: x.shape, doubles: result)]
    }
}
