import SwitchyardTensor

/// AveragePool (opsets 1–22): the mean over each window. `count_include_pad` decides whether
/// padded positions count towards the divisor; positions `ceil_mode` adds past the padding
/// never do.
enum AveragePoolKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let input = try context.input(0)
        let windows = try PoolingWindows(context, input: input)
        let includePadding = try context.int("count_include_pad", default: 0) != 0
        let x = try FloatingCompute.computeTensor(input, op: op, input: "X")
        let divisors = windows.divisors(includePadding: includePadding)
        let result: Tensor = switch x.dataType {
        case .float64: average(Double.self, x, windows, divisors)
        default: average(Float.self, x, windows, divisors)
        }
        return [result.converted(to: input.dataType)]
    }

    private static func average<T: ReferenceFloatingScalar>(_: T.Type, _ x: Tensor, _ windows: PoolingWindows, _ divisors: [Int]) -> Tensor {
        let inverse = divisors.map { T(1) / T($0) }
        return PoolingPlanes.map(T.self, x, windows) { input, output in
            windows.accumulate(input: input, output: output, combine: +)
            for index in 0..<inverse.count { output[index] *= inverse[index] }
        }
    }
}

/// Runs a pooling computation plane by plane (one `[N, C]` slice at a time) into a zeroed
/// output of the pooled shape.
enum PoolingPlanes {
    static func map<T: ReferenceFloatingScalar>(
        _: T.Type, _ x: Tensor, _ windows: PoolingWindows,
        _ body: (UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
    ) -> Tensor {
        var y = Tensor(zeros: T.dataType, shape: windows.outputShape)
        let inputCount = windows.geometry.inputCount, outputCount = windows.geometry.outputCount
        x.withUnsafeBufferPointer(of: T.self) { xBuffer in
            y.withUnsafeMutableBufferPointer(of: T.self) { yBuffer in
                guard yBuffer.count > 0, let xBase = xBuffer.baseAddress, let yBase = yBuffer.baseAddress else { return }
                for plane in 0..<windows.planes {
                    body(xBase + plane * inputCount, yBase + plane * outputCount)
                }
            }
        }
        return y
    }
}
