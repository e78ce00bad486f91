import SwitchyardTensor

/// Float32 and float64: the types the floating-point kernels of this folder compute in.
protocol ReferenceFloatingScalar: BinaryFloatingPoint, ReferenceGEMMScalar {}
extension Float: ReferenceFloatingScalar {}
extension Double: ReferenceFloatingScalar {}

/// Element-type handling shared by the floating-point neural-network kernels: float32 and
/// float64 are computed natively, float16 and bfloat16 in float32 and rounded back at the end.
enum FloatingCompute {
    /// `tensor` in its compute type (float16 and bfloat16 widen to float32). Throws for
    /// non-floating types, naming the input.
    static func computeTensor(_ tensor: Tensor, op: String, input name: String) throws(KernelError) -> Tensor {
        switch tensor.dataType {
        case .float32, .float64: return tensor
        case .float16, .bfloat16: return tensor.converted(to: .float32)
        default: throw .unsupported("\(op): input \(name) has type \(tensor.dataType); expected float, double, float16 or bfloat16")
        }
    }

    /// Checks that `other` has the same element type as `reference` (ONNX's shared type `T`).
    static func requireSameType(_ other: Tensor, as reference: Tensor, op: String, input name: String) throws(KernelError) {
        guard other.dataType == reference.dataType else {
            throw .invalidArgument("\(op): input \(name) has type \(other.dataType), expected \(reference.dataType) like input X")
        }
    }
}
