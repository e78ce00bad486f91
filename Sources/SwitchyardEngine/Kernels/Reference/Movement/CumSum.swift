import SwitchyardTensor

extension IndexingOps {
    /// CumSum: running sums along `axis` (a scalar input), optionally `exclusive` (each sum
    /// leaves out its own element) and `reverse` (summing from the end).
    static func cumSum(_ context: OpContext) throws(KernelError) -> [Tensor] {
        [try cumulative(context, product: false)]
    }

    /// CumProd: running products, with CumSum's attributes.
    static func cumProd(_ context: OpContext) throws(KernelError) -> [Tensor] {
        [try cumulative(context, product: true)]
    }

    private static func cumulative(
        _ context: OpContext, product: Bool
    ) throws(KernelError) -> Tensor {
        let op = context.node.opType
        let data = try context.input(0)
        let requestedAxis = try MovementOps.scalarInt(try context.input(1), op: op, name: "axis")
        let axis = try ShapeMath.normalizedAxis(requestedAxis, rank: data.rank, op: op)
        let exclusive = try context.int("exclusive", default: 0) != 0
        let reverse = try context.int("reverse", default: 0) != 0
        let dimension = data.rank == 0 ? 1 : data.shape[axis]
        let inner = data.rank == 0 ? 1 : data.shape[(axis + 1)...].reduce(1, *)
        let outer = data.count / max(dimension * inner, 1)
        func running<T: IndexingArithmetic>(_ values: [T]) -> [T] {
            let start = product ? T.one : T.zero
            var result = [T](repeating: start, count: values.count)
            for o in 0..<outer {
                for i in 0..<inner {
                    var total = start
                    for step in 0..<dimension {
                        let position = reverse ? dimension - 1 - step : step
                        let index = (o * dimension + position) * inner + i
                        let next = product ? T.times(total, values[index]) : T.plus(total, values[index])
                        result[index] = exclusive ? total : next
                        total = next
                    }
                }
            }
            return result
        }
        let result: NumericArray = switch try NumericArray(data, op: op) {
        case .real(let values): .real(running(values))
        case .signed(let values): .signed(running(values))
        case .unsigned(let values): .unsigned(running(values))
        }
        return result.tensor(data.dataType, shape: data.shape)
    }
}
