import SwitchyardTensor

extension MovementOps {
    /// An integer list that older opsets give as attribute `attribute` and newer ones (from
    /// `inputOpset` on) as optional input `input`. `nil` when absent.
    static func intList(
        _ context: OpContext, input: Int, attribute: String, inputOpset: Int
    ) throws(KernelError) -> [Int]? {
        if context.opset >= inputOpset {
            return context.optionalInput(input)?.ints()
        }
        return try context.ints(attribute)
    }

    /// A scalar (or one-element) integer input, as a Swift `Int`.
    static func scalarInt(_ tensor: Tensor, op: String, name: String) throws(KernelError) -> Int {
        guard tensor.count == 1 else {
            throw .invalidArgument("\(op): '\(name)' must hold one value, got shape \(tensor.shape)")
        }
        return tensor.ints()[0]
    }

    /// Resolves a possibly negative axis against `rank` (`[-rank, rank-1]`); a scalar has no axes.
    static func resolvedAxis(_ axis: Int, rank: Int, op: String) throws(KernelError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            throw .invalidArgument("\(op): axis \(axis) is out of range for rank \(rank)")
        }
        return resolved
    }

    /// The element count of `shape`, or an error when a dimension is negative or the count
    /// overflows (a crafted shape must not crash the engine).
    static func checkedCount(_ shape: [Int], op: String) throws(KernelError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidArgument("\(op): shape \(shape) has a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidArgument("\(op): shape \(shape) has too many elements") }
            count = product
        }
        return count
    }

    /// Resolves axes (possibly negative) against `rank`, rejecting duplicates.
    static func normalizedAxes(_ axes: [Int], rank: Int, op: String) throws(KernelError) -> [Int] {
        var resolved: [Int] = []
        for axis in axes {
            let normalized = try resolvedAxis(axis, rank: rank, op: op)
            guard !resolved.contains(normalized) else {
                throw .invalidArgument("\(op): axis \(axis) appears more than once in \(axes)")
            }
            resolved.append(normalized)
        }
        return resolved
    }
}

extension IndexingOps {
    /// Resolves index `value` (negative counts from the end) against a dimension of `bound`.
    @inline(__always)
    static func resolvedIndex(_ value: Int, bound: Int, op: String, axis: Int) throws(KernelError) -> Int {
        let resolved = value < 0 ? value + bound : value
        guard resolved >= 0 && resolved < bound else {
            throw .invalidArgument("\(op): index \(value) is out of range for axis \(axis) of size \(bound)")
        }
        return resolved
    }
}
