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
            return tensor.withUnsafeBufferPointer(of: Float.self) { values in
                // x * 0 is 0 for every finite x and NaN for NaN and ±Inf; the sum has no early
                // exit, so it vectorizes (about 0.1 ms for a 640×640 image).
                var sum: Float = 0
                for value in values { sum += value * 0 }
                return sum.isNaN
            }
        }
    }
}
