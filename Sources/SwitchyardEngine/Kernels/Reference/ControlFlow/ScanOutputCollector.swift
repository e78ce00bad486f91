import SwitchyardGraph
import SwitchyardTensor

/// Gathers the value a loop body yields for one scan output in each iteration and stacks them
/// along a new axis at the end. Shared by `Loop` (axis 0) and `Scan` (any axis, appended or
/// prepended).
struct ScanOutputCollector {
    /// Operator name, for messages.
    let op: String
    /// Position among the node's scan outputs, for messages.
    let index: Int
    /// The body's declared output: the element type and shape of a zero-iteration result.
    let declared: ValueInfo
    private(set) var parts: [Tensor] = []

    init(op: String, index: Int, declared: ValueInfo) {
        self.op = op
        self.index = index
        self.declared = declared
    }

    /// Adds one iteration's value; every iteration must yield the same shape and type.
    mutating func append(_ element: Tensor) throws(KernelError) {
        if let first = parts.first, first.shape != element.shape || first.dataType != element.dataType {
            throw .invalidArgument("\(op): scan output \(index) ('\(declared.name)') is \(first.dataType) \(first.shape) in iteration 0 but \(element.dataType) \(element.shape) in iteration \(parts.count); every iteration must yield the same shape and type")
        }
        parts.append(element)
    }

    /// The element shape: from the iterations, else from the body's declaration (unknown
    /// dimensions become 0, so the result is empty either way).
    func elementShape() throws(KernelError) -> [Int] {
        if let first = parts.first { return first.shape }
        guard let shape = declared.shape else {
            throw .unsupported("\(op): scan output \(index) ('\(declared.name)') ran zero iterations and the body declares no rank for it, so its shape is unknown")
        }
        return shape.map { $0.fixedValue ?? 0 }
    }

    /// The element type, from the iterations or the body's declaration.
    func elementType() throws(KernelError) -> DataType {
        if let first = parts.first { return first.dataType }
        guard let type = declared.dataType else {
            throw .unsupported("\(op): scan output \(index) ('\(declared.name)') ran zero iterations and the body declares no type for it")
        }
        return type
    }

    /// The parts stacked along a new axis `axis` (`[-(r+1), r]` for elements of rank r), in
    /// iteration order, or in reverse when `prepending`.
    func stacked(axis: Int = 0, prepending: Bool = false) throws(KernelError) -> Tensor {
        let shape = try elementShape()
        let resolved = try ShapeMath.normalizedAxis(axis, rank: shape.count + 1, op: "\(op) scan output \(index)")
        guard !parts.isEmpty else {
            var emptyShape = shape
            emptyShape.insert(0, at: resolved)
            return Tensor(zeros: try elementType(), shape: emptyShape)
        }
        return AxisSlicing.stack(prepending ? parts.reversed() : parts, axis: resolved)
    }
}
