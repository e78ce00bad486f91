import SwitchyardTensor

/// StringConcat (opset 20): element-wise `X + Y` of two string tensors, with NumPy
/// broadcasting.
enum StringConcatKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0), y = try context.input(1)
        guard x.dataType == .string, y.dataType == .string else {
            throw KernelError.invalidArgument("\(op): both inputs must be string tensors, got \(x.dataType) and \(y.dataType)")
        }
        let shape = try ShapeMath.broadcast([x.shape, y.shape])
        let xs = x.strings, ys = y.strings
        let xIndices = ShapeMath.broadcastIndices(from: x.shape, to: shape)
        let yIndices = ShapeMath.broadcastIndices(from: y.shape, to: shape)
        return [Tensor(shape: shape, strings: zip(xIndices, yIndices).map { xs[$0] + ys[$1] })]
    }
}
