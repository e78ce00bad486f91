import SwitchyardTensor

/// Activations whose parameters are tensors: PRelu (a slope broadcast onto X) and Clip (bounds
/// as attributes before opset 11, as optional scalar inputs from opset 11 on).
enum ParametricActivations {
    /// `x < 0 ? x * slope : x`.
    struct PReluFunction: BinaryNumericFunction {
        @inline(__always)
        func callAsFunction<T: NumericElement>(_ x: T, _ slope: T) -> T {
            x < .zero ? T.multiply(x, slope) : x
        }
    }

    static var kernels: [String: ReferenceKernel] {
        [
            "PRelu": { context in
                let x = try context.input(0)
                let slope = try context.input(1)
                // The slope broadcasts onto X, never the other way round.
                let shape = try ElementwiseLoops.broadcastShape([x.shape, slope.shape], op: "PRelu")
                guard shape == x.shape else {
                    throw KernelError.invalidArgument("PRelu: slope of shape \(slope.shape) does not broadcast to X of shape \(x.shape)")
                }
                return [try ElementwiseDispatch.binaryNumeric(x, slope, op: "PRelu", PReluFunction())]
            },
            "Clip": { context in [try clip(context)] },
        ]
    }

    private static func clip(_ context: OpContext) throws(KernelError) -> Tensor {
        let x = try context.input(0)
        if context.opset < 11 {
            let low = try context.float("min") ?? -Float.greatestFiniteMagnitude
            let high = try context.float("max") ?? Float.greatestFiniteMagnitude
            guard x.dataType.isFloatingPoint else {
                throw ElementwiseDispatch.unsupported("Clip", x.dataType, expected: "a floating-point type before opset 11")
            }
            let bounds = (Tensor(scalar: Double(low)).converted(to: x.dataType),
                          Tensor(scalar: Double(high)).converted(to: x.dataType))
            return try clip(x, low: bounds.0, high: bounds.1)
        }
        return try clip(x, low: context.optionalInput(1), high: context.optionalInput(2))
    }

    /// `x` clamped to `[low, high]`; a missing bound does not clamp. With `low > high` every
    /// element becomes `high`, as in NumPy.
    private static func clip(_ x: Tensor, low: Tensor?, high: Tensor?) throws(KernelError) -> Tensor {
        for (name, bound) in [("min", low), ("max", high)] {
            guard let bound else { continue }
            guard bound.count == 1 else {
                throw .invalidArgument("Clip: '\(name)' must be a scalar, got shape \(bound.shape)")
            }
            guard bound.dataType == x.dataType else {
                throw .invalidArgument("Clip: '\(name)' has element type \(bound.dataType), input has \(x.dataType)")
            }
        }
        func run<T: NumericElement>(_ type: T.Type) -> Tensor {
            let lowest = low.map { $0.scalars(as: T.self)[0] } ?? T.lowest
            let highest = high.map { $0.scalars(as: T.self)[0] } ?? T.highest
            return ElementwiseLoops.map(x, T.self, to: T.self) { value in
                let raised = value < lowest ? lowest : value
                return raised > highest ? highest : raised
            }
        }
        switch x.dataType {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .float16, .bfloat16:
            return try clip(x.converted(to: .float32), low: low?.converted(to: .float32),
                            high: high?.converted(to: .float32)).converted(to: x.dataType)
        case .int8: return run(Int8.self)
        case .int16: return run(Int16.self)
        case .int32: return run(Int32.self)
        case .int64: return run(Int64.self)
        case .uint8: return run(UInt8.self)
        case .uint16: return run(UInt16.self)
        case .uint32: return run(UInt32.self)
        case .uint64: return run(UInt64.self)
        default: throw ElementwiseDispatch.unsupported("Clip", x.dataType, expected: "a numeric type")
        }
    }
}
