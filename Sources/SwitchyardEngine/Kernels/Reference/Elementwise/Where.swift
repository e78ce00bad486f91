import SwitchyardTensor

/// `Where(condition, X, Y)`: X where the condition holds, else Y, all three broadcast together.
/// Elements are only copied, so every type is handled by its byte width.
enum Where {
    static var kernels: [String: ReferenceKernel] {
        ["Where": { context in
            [try select(context.input(0), context.input(1), context.input(2))]
        }]
    }

    static func select(_ condition: Tensor, _ x: Tensor, _ y: Tensor) throws(KernelError) -> Tensor {
        guard condition.dataType == .bool else {
            throw .invalidArgument("Where: condition must be bool, got \(condition.dataType)")
        }
        try ElementwiseDispatch.requireSameType(x, y, op: "Where")
        if x.dataType == .string {
            let shape = try ElementwiseLoops.broadcastShape([condition.shape, x.shape, y.shape], op: "Where")
            let conditions = condition.scalars(as: Bool.self)
            let xs = x.strings, ys = y.strings
            let pick = ShapeMath.broadcastIndices(from: condition.shape, to: shape)
            let fromX = ShapeMath.broadcastIndices(from: x.shape, to: shape)
            let fromY = ShapeMath.broadcastIndices(from: y.shape, to: shape)
            let values = pick.indices.map { conditions[pick[$0]] ? xs[fromX[$0]] : ys[fromY[$0]] }
            return Tensor(shape: shape, strings: values)
        }
        func run<T: TensorScalar>(_ type: T.Type, as bitsType: DataType) throws(KernelError) -> Tensor {
            let result = try ElementwiseLoops.combine(
                condition, ElementwiseDispatch.reinterpret(x, as: bitsType), ElementwiseDispatch.reinterpret(y, as: bitsType),
                (Bool.self, T.self, T.self), to: T.self, op: "Where"
            ) { $0 ? $1 : $2 }
            return ElementwiseDispatch.reinterpret(result, as: x.dataType)
        }
        switch x.dataType.byteSize {
        case 1: return try run(UInt8.self, as: .uint8)
        case 2: return try run(UInt16.self, as: .uint16)
        case 4: return try run(UInt32.self, as: .uint32)
        default: return try run(UInt64.self, as: .uint64)
        }
    }
}
