import SwitchyardTensor

extension IndexingOps {
    /// CumSum: running sums along `axis` (a scalar input), optionally `exclusive` (each sum
    /// leaves out its own element) and `reverse` (summing from the end).
    static func cumSum(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let requestedAxis = try MovementOps.scalarInt(try context.input(1), op: "CumSum", name: "axis")
        let axis = try ShapeMath.normalizedAxis(requestedAxis, rank: data.rank, op: "CumSum")
        let exclusive = try context.int("exclusive", default: 0) != 0
        let reverse = try context.int("reverse", default: 0) != 0
        let dimension = data.rank == 0 ? 1 : data.shape[axis]
        let inner = data.rank == 0 ? 1 : data.shape[(axis + 1)...].reduce(1, *)
        let outer = data.count / max(dimension * inner, 1)
        func sums<T: IndexingArithmetic>(_ values: [T]) -> [T] {
            var result = [T](repeating: T.zero, count: values.count)
            for o in 0..<outer {
                for i in 0..<inner {
                    var running = T.zero
                    for step in 0..<dimension {
                        let position = reverse ? dimension - 1 - step : step
                        let index = (o * dimension + position) * inner + i
                        if exclusive {
                            result[index] = running
                            running = T.plus(running, values[index])
                        } else {
                            running = T.plus(running, values[index])
                            result[index] = running
                        }
                    }
                }
            }
            return result
        }
        let result: NumericArray = switch try NumericArray(data, op: "CumSum") {
        case .real(let values): .real(sums(values))
        case .signed(let values): .signed(sums(values))
        case .unsigned(let values): .unsigned(sums(values))
        }
        return [result.tensor(data.dataType, shape: data.shape)]
    }
}
