import SwitchyardTensor

/// Finds NaN and ±Inf in a run's float inputs.
///
/// oneDNN's kernels do not keep NaN: its Relu, clip and max compute `x > 0 ? x : 0`, so a NaN
/// pixel becomes a finite score, where the ONNX spec (and ONNX Runtime) propagate it. A session
/// runs such inputs on the reference kernels instead (see `Session.run`).
enum NonFiniteInputs {
    /// True when any float32 tensor holds a NaN or an infinity.
    static func present(in inputs: [Tensor?]) -> Bool {
        inputs.contains { tensor in
            guard let tensor, tensor.dataType == .float32 else { return false }
            return tensor.withUnsafeBufferPointer(of: Float.self) { floats in
                floats.withMemoryRebound(to: UInt32.self) { words in
                    // NaN and ±Inf are the floats whose exponent is all ones, the only exponent for
                    // which adding 1 to the field carries into the sign bit. Integer operations
                    // without an early exit vectorize; a float sum would not (its additions
                    // cannot be reordered), and took 1.5 ms on a 640×640 image.
                    var carries: UInt32 = 0
                    for word in words { carries |= (word & 0x7F80_0000) &+ 0x0080_0000 }
                    return carries & 0x8000_0000 != 0
                }
            }
        }
    }
}
