import SwitchyardTensor

/// ONNX `Swish` (opset 24): `x · sigmoid(alpha · x)`.
enum Swish {
    struct Function: RealFunction {
        let alpha: Double

        @inline(__always)
        func callAsFunction<F: FloatElement>(_ x: F) -> F { x * (1 / (1 + F.exp(-F(alpha) * x))) }
    }

    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let alpha = Double(try context.float("alpha", default: 1))
        return [try ElementwiseDispatch.real(try context.input(0), op: "Swish", Function(alpha: alpha))]
    }
}
