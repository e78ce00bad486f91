import SwitchyardTensor

/// Where channels go in a network input tensor.
public enum TensorLayout: Sendable {
    /// `[1, C, H, W]` (PyTorch, Paddle, most ONNX vision models).
    case nchw
    /// `[1, H, W, C]` (TensorFlow-style).
    case nhwc
}

extension Image {
    /// A Float32 network input: `(pixel * scale - mean[c]) / std[c]` per channel, shaped `[1, C, H, W]`
    /// or `[1, H, W, C]`. `mean` and `std` hold one value per channel, or one value for all channels.
    public func tensor(layout: TensorLayout = .nchw, scale: Float = 1.0 / 255, mean: [Float], std: [Float]) -> Tensor {
        let c = channels, plane = width * height
        // Per channel, value = pixel * a + b, with a = scale / std and b = -mean / std: one FMA per element.
        let a = (0..<c).map { scale / Self.channelValue(std, $0, default: 1) }
        let b = (0..<c).map { -Self.channelValue(mean, $0, default: 0) / Self.channelValue(std, $0, default: 1) }
        let shape = layout == .nchw ? [1, c, height, width] : [1, height, width, c]
        var tensor = Tensor(uninitialized: .float32, shape: shape)
        tensor.withUnsafeMutableBufferPointer(of: Float.self) { dst in
            pixels.withUnsafeBufferPointer { src in
                switch layout {
                case .nhwc:
                    for p in 0..<plane {
                        for k in 0..<c { dst[p * c + k] = Float(src[p * c + k]) * a[k] + b[k] }
                    }
                case .nchw:
                    for k in 0..<c {
                        let ak = a[k], bk = b[k]
                        let out = dst.baseAddress! + k * plane
                        var s = src.baseAddress! + k
                        for p in 0..<plane {
                            out[p] = Float(s.pointee) * ak + bk
                            s += c
                        }
                    }
                }
            }
        }
        return tensor
    }

    private static func channelValue(_ values: [Float], _ channel: Int, default value: Float) -> Float {
        if values.isEmpty { return value }
        return values.count == 1 ? values[0] : values[min(channel, values.count - 1)]
    }
}
