import SwitchyardTensor

/// The Reduce* operators. Floating-point inputs accumulate in double precision; integer
/// Sum/Prod/SumSquare/L1/Max/Min stay exact in their own type (wrapping), the other integer
/// reductions go through double and truncate, as NumPy's `astype` does. Reducing an empty set
/// gives the operation's identity: 0 for sums, 1 for Prod, the lowest value for Max, the
/// highest for Min, -inf for LogSum and LogSumExp, NaN for Mean.
enum Reduce: String, CaseIterable {
    case ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceMax, ReduceMean, ReduceMin, ReduceProd,
         ReduceSum, ReduceSumSquare

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for operation in allCases {
            table[operation.rawValue] = { context in [try operation.apply(context)] }
        }
        return table
    }

    /// From this opset on, `axes` is an input instead of an attribute.
    var axesInputSince: Int { self == .ReduceSum ? 13 : 18 }

    func apply(_ context: OpContext) throws(KernelError) -> Tensor {
        let x = try context.input(0)
        guard let axes = try ReductionSupport.axes(context, rank: x.rank, axesInputSince: axesInputSince) else {
            return x
        }
        let keepDims = try context.int("keepdims", default: 1) != 0
        return try reduce(x, axes: axes, keepDims: keepDims)
    }

    /// `x` reduced over `axes` (sorted, normalized).
    func reduce(_ x: Tensor, axes: [Int], keepDims: Bool) throws(KernelError) -> Tensor {
        let kept = ReductionSupport.keptShape(x.shape, axes: axes)
        let shape = ReductionSupport.outputShape(x.shape, axes: axes, keepDims: keepDims)
        let reducedCount = axes.map { x.shape[$0] }.reduce(1, *)
        switch x.dataType {
        case .float32: return real(x, Float.self, kept: kept, count: reducedCount).reshaped(shape)
        case .float64: return real(x, Double.self, kept: kept, count: reducedCount).reshaped(shape)
        case .float16, .bfloat16:
            return try reduce(x.converted(to: .float32), axes: axes, keepDims: keepDims).converted(to: x.dataType)
        case .int8: return integer(x, Int8.self, kept: kept, count: reducedCount).reshaped(shape)
        case .int16: return integer(x, Int16.self, kept: kept, count: reducedCount).reshaped(shape)
        case .int32: return integer(x, Int32.self, kept: kept, count: reducedCount).reshaped(shape)
        case .int64: return integer(x, Int64.self, kept: kept, count: reducedCount).reshaped(shape)
        case .uint8: return integer(x, UInt8.self, kept: kept, count: reducedCount).reshaped(shape)
        case .uint16: return integer(x, UInt16.self, kept: kept, count: reducedCount).reshaped(shape)
        case .uint32: return integer(x, UInt32.self, kept: kept, count: reducedCount).reshaped(shape)
        case .uint64: return integer(x, UInt64.self, kept: kept, count: reducedCount).reshaped(shape)
        case .bool where self == .ReduceMax || self == .ReduceMin:
            // Max is "any", Min is "all"; as 0/1 bytes they are the integer max and min.
            let bytes = ElementwiseDispatch.reinterpret(x, as: .uint8)
            return ElementwiseDispatch.reinterpret(integer(bytes, UInt8.self, kept: kept, count: reducedCount), as: .bool)
                .reshaped(shape)
        default:
            throw ElementwiseDispatch.unsupported(rawValue, x.dataType, expected: "a numeric type")
        }
    }

    /// A floating-point reduction; the result has `x`'s type and the kept shape.
    private func real<F: FloatElement>(_ x: Tensor, _ type: F.Type, kept: [Int], count: Int) -> Tensor {
        let outputs = kept.reduce(1, *)
        func sum(_ term: (F) -> Double) -> [Double] {
            ReductionSupport.accumulate(x, F.self, keptShape: kept, initial: [Double](repeating: 0, count: outputs)) {
                $0 += term($1)
            }
        }
        let values: [F]
        switch self {
        case .ReduceMax, .ReduceMin:
            return extremum(x, F.self, kept: kept)
        case .ReduceL1: values = sum { Double($0.magnitude) }.map { F($0) }
        case .ReduceL2: values = sum { Double($0) * Double($0) }.map { F($0.squareRoot()) }
        case .ReduceLogSum: values = sum { Double($0) }.map { F(Double.log($0)) }
        case .ReduceMean: values = sum { Double($0) }.map { F($0 / Double(count)) }
        case .ReduceSum: values = sum { Double($0) }.map { F($0) }
        case .ReduceSumSquare: values = sum { Double($0) * Double($0) }.map { F($0) }
        case .ReduceProd:
            values = ReductionSupport.accumulate(x, F.self, keptShape: kept,
                                                 initial: [Double](repeating: 1, count: outputs)) {
                $0 *= Double($1)
            }.map { F($0) }
        case .ReduceLogSumExp:
            values = logSumExp(x, F.self, kept: kept).map { F($0) }
        }
        return Tensor(shape: kept, scalars: values)
    }

    /// `log(sum(exp(x - m))) + m` with `m` the largest finite element of each set (0 when
    /// there is none), so large inputs do not overflow.
    private func logSumExp<F: FloatElement>(_ x: Tensor, _ type: F.Type, kept: [Int]) -> [Double] {
        let outputs = kept.reduce(1, *)
        let maxima = ReductionSupport.accumulate(
            x, F.self, keptShape: kept, initial: [Double](repeating: -.infinity, count: outputs)
        ) { maximum, value in
            let value = Double(value)
            if value.isFinite && value > maximum { maximum = value }
        }
        let shifts = maxima.map { $0.isFinite ? $0 : 0 }
        let sums = ReductionSupport.accumulate(
            x, F.self, keptShape: kept, initial: shifts.map { (shift: $0, sum: 0.0) }
        ) { state, value in
            state.sum += Double.exp(Double(value) - state.shift)
        }
        return sums.map { Double.log($0.sum) + $0.shift }
    }

    /// ReduceMax or ReduceMin in the element type (NaN propagates).
    private func extremum<T: NumericElement>(_ x: Tensor, _ type: T.Type, kept: [Int]) -> Tensor {
        let outputs = kept.reduce(1, *)
        let values: [T] = if self == .ReduceMax {
            ReductionSupport.accumulate(x, T.self, keptShape: kept, initial: [T](repeating: T.lowest, count: outputs)) {
                $0 = T.maximum($0, $1)
            }
        } else {
            ReductionSupport.accumulate(x, T.self, keptShape: kept, initial: [T](repeating: T.highest, count: outputs)) {
                $0 = T.minimum($0, $1)
            }
        }
        return Tensor(shape: kept, scalars: values)
    }

    /// An integer reduction; the result has `x`'s type and the kept shape.
    private func integer<T: IntegerElement>(_ x: Tensor, _ type: T.Type, kept: [Int], count: Int) -> Tensor {
        let outputs = kept.reduce(1, *)
        func fold(_ initial: T, _ step: (T, T) -> T) -> Tensor {
            Tensor(shape: kept, scalars: ReductionSupport.accumulate(
                x, T.self, keptShape: kept, initial: [T](repeating: initial, count: outputs)
            ) { $0 = step($0, $1) })
        }
        func viaDouble(_ finish: (Double) -> Double) -> Tensor {
            let sums = ReductionSupport.accumulate(
                x, T.self, keptShape: kept, initial: [T](repeating: 0, count: outputs)
            ) { $0 = $0 &+ $1 }
            return Tensor(shape: kept, scalars: sums.map { T(castFrom: finish(Double($0))) })
        }
        switch self {
        case .ReduceMax, .ReduceMin: return extremum(x, T.self, kept: kept)
        case .ReduceSum: return fold(0) { $0 &+ $1 }
        case .ReduceProd: return fold(1) { $0 &* $1 }
        case .ReduceSumSquare: return fold(0) { $0 &+ $1 &* $1 }
        case .ReduceL1: return fold(0) { $0 &+ ($1 < 0 ? 0 &- $1 : $1) }
        case .ReduceMean: return viaDouble { $0 / Double(count) }
        case .ReduceLogSum: return viaDouble { Double.log($0) }
        case .ReduceL2:
            let squares = ReductionSupport.accumulate(
                x, T.self, keptShape: kept, initial: [Double](repeating: 0, count: outputs)
            ) { $0 += Double($1) * Double($1) }
            return Tensor(shape: kept, scalars: squares.map { T(castFrom: $0.squareRoot()) })
        case .ReduceLogSumExp:
            return Tensor(shape: kept, scalars: logSumExp(x.converted(to: .float64), Double.self, kept: kept)
                .map { T(castFrom: $0) })
        }
    }
}
