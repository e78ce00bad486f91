import SwitchyardTensor

/// ArgMax and ArgMin: int64 indices of the largest or smallest element along `axis`; ties go to
/// the first index, or the last with `select_last_index`. NaN counts as the extreme, as in
/// NumPy.
enum ArgExtremum: String, CaseIterable {
    case ArgMax, ArgMin

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for operation in allCases {
            table[operation.rawValue] = { context in
                let x = try context.input(0)
                let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: 0), rank: x.rank,
                                                        op: operation.rawValue)
                let keepDims = try context.int("keepdims", default: 1) != 0
                let last = try context.int("select_last_index", default: 0) != 0
                return [try operation.indices(x, axis: axis, keepDims: keepDims, selectLast: last)]
            }
        }
        return table
    }

    func indices(_ x: Tensor, axis: Int, keepDims: Bool, selectLast: Bool) throws(KernelError) -> Tensor {
        guard x.rank > 0 else {
            throw .invalidArgument("\(rawValue): input must have rank at least 1, got a scalar")
        }
        let (outer, length, inner) = ReductionSupport.split(x.shape, at: axis)
        guard length > 0 || outer * inner == 0 else {
            throw .invalidArgument("\(rawValue): axis \(axis) has size 0, so there is no element to pick")
        }
        let shape = ReductionSupport.outputShape(x.shape, axes: [axis], keepDims: keepDims)
        let isMax = self == .ArgMax
        func run<T: NumericElement>(_ type: T.Type) -> Tensor {
            var result = [Int64](repeating: 0, count: outer * inner)
            x.withUnsafeBufferPointer(of: T.self) { values in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * length * inner + i
                        var best = values[base], bestIndex = 0
                        for k in 1..<max(length, 1) {
                            let candidate = values[base + k * inner]
                            let wins: Bool
                            if best.isNaNValue {
                                wins = selectLast && candidate.isNaNValue
                            } else if candidate.isNaNValue {
                                wins = true
                            } else if isMax {
                                wins = selectLast ? candidate >= best : candidate > best
                            } else {
                                wins = selectLast ? candidate <= best : candidate < best
                            }
                            if wins { best = candidate; bestIndex = k }
                        }
                        result[o * inner + i] = Int64(bestIndex)
                    }
                }
            }
            return Tensor(shape: shape, scalars: result)
        }
        switch x.dataType {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .float16, .bfloat16: return try indices(x.converted(to: .float32), axis: axis, keepDims: keepDims,
                                                     selectLast: selectLast)
        case .int8: return run(Int8.self)
        case .int16: return run(Int16.self)
        case .int32: return run(Int32.self)
        case .int64: return run(Int64.self)
        case .uint8: return run(UInt8.self)
        case .uint16: return run(UInt16.self)
        case .uint32: return run(UInt32.self)
        case .uint64: return run(UInt64.self)
        default: throw ElementwiseDispatch.unsupported(rawValue, x.dataType, expected: "a numeric type")
        }
    }
}
