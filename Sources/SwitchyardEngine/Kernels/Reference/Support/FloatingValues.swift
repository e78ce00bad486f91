import SwitchyardTensor

/// Floating-point tensors read as `Double` and rounded back to an element type. Kernels whose
/// ONNX reference rounds intermediate results to the input type (float16, bfloat16) compute in
/// `Double` and call `rounded` at the same points, so they match the reference to the last bit
/// of the narrow type rather than only at the end.
enum FloatingValues {
    /// The elements of `tensor`, which must be floating-point, as `Double`.
    static func read(_ tensor: Tensor, op: String, input name: String) throws(KernelError) -> [Double] {
        guard tensor.dataType.isFloatingPoint else {
            throw .unsupported("\(op): input \(name) has type \(tensor.dataType); expected float, double, float16 or bfloat16")
        }
        return tensor.doubles()
    }

    /// `value` rounded to the nearest value of the floating-point `type`.
    @inline(__always)
    static func rounded(_ value: Double, to type: DataType) -> Double {
        switch type {
        case .float32: Double(Float(value))
        case .float16: Double(Float(Float16(Float(value))))
        case .bfloat16: Double(BFloat16(Float(value)).floatValue)
        default: value
        }
    }

    /// Every element of `values` rounded to `type`.
    static func rounded(_ values: [Double], to type: DataType) -> [Double] {
        type == .float64 ? values : values.map { rounded($0, to: type) }
    }
}
