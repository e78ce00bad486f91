import SwitchyardTensor

/// GlobalAveragePool, GlobalMaxPool and GlobalLpPool: one window covering all spatial axes, so
/// `[N, C, D1, …]` becomes `[N, C, 1, …]`.
enum GlobalPoolKernel {
    private enum Reduction {
        case average
        case maximum
        case lp(Double)
    }

    static func average(_ context: OpContext) throws -> [Tensor] { try run(context, .average) }
    static func maximum(_ context: OpContext) throws -> [Tensor] { try run(context, .maximum) }
    static func lp(_ context: OpContext) throws -> [Tensor] { try run(context, .lp(try LpPoolKernel.exponent(context))) }

    private static func run(_ context: OpContext, _ reduction: Reduction) throws -> [Tensor] {
        let op = context.node.opType
        let input = try context.input(0)
        guard input.rank >= 3 else {
            throw KernelError.invalidArgument("\(op): X must have shape [N, C, spatial…] (rank ≥ 3), got \(input.shape)")
        }
        let x = try FloatingCompute.computeTensor(input, op: op, input: "X")
        let result: Tensor = switch x.dataType {
        case .float64: reduce(Double.self, x, reduction)
        default: reduce(Float.self, x, reduction)
        }
        return [result.converted(to: input.dataType)]
    }

    private static func reduce<T: ReferenceFloatingScalar>(_: T.Type, _ x: Tensor, _ reduction: Reduction) -> Tensor {
        let planes = x.shape[0] * x.shape[1]
        let planeSize = x.shape[2...].reduce(1, *)
        var values = [T](repeating: 0, count: planes)
        x.withUnsafeBufferPointer(of: T.self) { buffer in
            for plane in 0..<planes {
                let slice = UnsafeBufferPointer(rebasing: buffer[(plane * planeSize)..<((plane + 1) * planeSize)])
                switch reduction {
                case .average:
                    values[plane] = slice.reduce(0, +) / T(planeSize)
                case .maximum:
                    // NaN is skipped, as in MaxPool; an all-NaN plane gives -inf.
                    values[plane] = slice.reduce(-T.infinity) { $1 > $0 ? $1 : $0 }
                case .lp(let p):
                    var total: T = 0
                    LpPoolKernel.powers(Array(slice), p: p).withUnsafeBufferPointer { total = $0.reduce(0, +) }
                    LpPoolKernel.root(&total, count: 1, p: p)
                    values[plane] = total
                }
            }
        }
        let shape = [x.shape[0], x.shape[1]] + Array(repeating: 1, count: x.rank - 2)
        return Tensor(shape: shape, scalars: values)
    }
}
