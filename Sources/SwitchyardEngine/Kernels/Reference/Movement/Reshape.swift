import SwitchyardTensor

extension MovementOps {
    /// Reshape: shape input (attribute `shape` before opset 5); `0` copies the input dimension
    /// (unless `allowzero`), `-1` is inferred. Never copies data.
    static func reshape(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let requested: [Int]
        if context.opset >= 5 {
            requested = try context.input(1).ints()
        } else {
            guard let shape = try context.ints("shape") else {
                throw .invalidArgument("Reshape: attribute 'shape' is missing")
            }
            requested = shape
        }
        let allowZero = try context.int("allowzero", default: 0) != 0
        return [data.reshaped(try resolvedShape(requested, input: data.shape, allowZero: allowZero))]
    }

    /// The output shape of Reshape for `requested` applied to a tensor of shape `input`.
    static func resolvedShape(_ requested: [Int], input: [Int], allowZero: Bool) throws(KernelError) -> [Int] {
        var shape = requested
        var inferredAxis: Int?
        for (axis, dim) in requested.enumerated() {
            switch dim {
            case -1:
                guard inferredAxis == nil else {
                    throw .invalidArgument("Reshape: shape \(requested) has more than one -1")
                }
                inferredAxis = axis
            case 0 where !allowZero:
                guard axis < input.count else {
                    throw .invalidArgument("Reshape: shape \(requested) copies dimension \(axis) with 0, but the input \(input) has rank \(input.count)")
                }
                shape[axis] = input[axis]
            case ..<0:
                throw .invalidArgument("Reshape: shape \(requested) has negative dimension \(dim)")
            default:
                break
            }
        }
        let count = input.reduce(1, *)
        if let inferredAxis {
            var known = shape
            known[inferredAxis] = 1
            let knownCount = try checkedCount(known, op: "Reshape")
            guard knownCount != 0, count % knownCount == 0 else {
                throw .invalidArgument("Reshape: cannot infer the -1 in \(requested) for an input of shape \(input)")
            }
            shape[inferredAxis] = count / knownCount
        }
        guard try checkedCount(shape, op: "Reshape") == count else {
            throw .invalidArgument("Reshape: shape \(requested) (resolved \(shape)) does not hold the \(count) elements of input shape \(input)")
        }
        return shape
    }

    /// Flatten: a 2-D view `[prod(dims[..<axis]), prod(dims[axis...])]`, axis in `[-r, r]`.
    static func flatten(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let requested = try context.int("axis", default: 1)
        let axis = requested < 0 ? requested + data.rank : requested
        guard axis >= 0 && axis <= data.rank else {
            throw .invalidArgument("Flatten: axis \(requested) is out of range for rank \(data.rank)")
        }
        let outer = data.shape[..<axis].reduce(1, *)
        return [data.reshaped([outer, data.shape[axis...].reduce(1, *)])]
    }
}
