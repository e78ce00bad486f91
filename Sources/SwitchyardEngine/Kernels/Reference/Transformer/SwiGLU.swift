import SwitchyardTensor

/// ONNX `SwiGLU`: `A · sigmoid(alpha · A) · B` for A and B of identical shape and type (no
/// broadcasting). As in the reference, the gate `A · sigmoid(alpha · A)` is rounded to the
/// input type before the product with B.
enum SwiGLU {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "SwiGLU"
        let a = try context.input(0), b = try context.input(1)
        guard a.shape == b.shape else {
            throw .invalidArgument("\(op): A \(a.shape) and B \(b.shape) must have identical shapes (no broadcasting)")
        }
        guard a.dataType == b.dataType else {
            throw .invalidArgument("\(op): A has type \(a.dataType) but B has type \(b.dataType); they must match")
        }
        let alpha = Double(try context.float("alpha", default: 1))
        let gate = try ElementwiseDispatch.real(a, op: op, Swish.Function(alpha: alpha))
        let (g, y) = (gate.doubles(), b.doubles())
        return [Tensor(dataType: a.dataType, shape: a.shape, doubles: zip(g, y).map { $0 * $1 })]
    }
}
