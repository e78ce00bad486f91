extension Tensor {
    /// Makes every byte of a bool tensor 0 or 1. Files (ONNX raw_data, .npy) may store any
    /// non-zero byte for true, but a Swift `Bool` must be exactly 0 or 1. No-op for other types.
    public mutating func canonicalizeBoolBytes() {
        guard dataType == .bool, withUnsafeBytes({ $0.contains { $0 > 1 } }) else { return }
        withUnsafeMutableBytes { bytes in
            for index in bytes.indices where bytes[index] > 1 { bytes[index] = 1 }
        }
    }
}
