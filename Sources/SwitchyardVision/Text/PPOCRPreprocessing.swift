import SwitchyardTensor

/// How rapidocr-onnxruntime 1.4.4 sizes the PP-OCR detector's input (`DetPreProcess.resize`).
public enum PPOCRDetectionLimit: Sendable, Equatable {
    /// Scale up so the shorter side is at least `n` (rapidocr's default, `limit_type: min`, 736).
    case minSide(Int)
    /// Scale down so the longer side is at most `n` (`limit_type: max`).
    case maxSide(Int)
}

extension Image {
    /// The detector input size rapidocr uses for this image: scaled by the limit, each side truncated,
    /// then rounded to a multiple of 32 (Python's `round`, halves to even). Nil when a side rounds to 0.
    public func ppocrDetectionSize(_ limit: PPOCRDetectionLimit = .minSide(736)) -> (width: Int, height: Int)? {
        var ratio = 1.0
        switch limit {
        case .minSide(let n) where min(width, height) < n:
            ratio = Double(n) / Double(height < width ? height : width)
        case .maxSide(let n) where max(width, height) > n:
            ratio = Double(n) / Double(height > width ? height : width)
        default:
            break
        }
        func multipleOf32(_ side: Int) -> Int {
            let scaled = Int(Double(side) * ratio)
            return Int((Double(scaled) / 32).rounded(.toNearestOrEven)) * 32
        }
        let w = multipleOf32(width), h = multipleOf32(height)
        return w > 0 && h > 0 ? (w, h) : nil
    }

    /// PP-OCR's `resize_norm_img` (direction classifier and recogniser): resized to `height` keeping the
    /// aspect ratio (width `ceil(height * w / h)`, at most `width`), scaled to [-1, 1] as
    /// `(x / 255 - 0.5) / 0.5`, and zero-padded on the right to `width`. Shape `[1, C, height, width]`.
    public func ppocrTextLineTensor(height: Int, width: Int) -> Tensor {
        precondition(height > 0 && width > 0, "text line tensor \(width)×\(height)")
        let ratioWidth = (Double(height) * Double(self.width) / Double(self.height)).rounded(.up)
        let resizedWidth = ratioWidth > Double(width) ? width : max(1, Int(ratioWidth))
        let line = resized(width: resizedWidth, height: height)
        let c = channels
        var tensor = Tensor(zeros: .float32, shape: [1, c, height, width])
        tensor.withUnsafeMutableBufferPointer(of: Float.self) { dst in
            line.pixels.withUnsafeBufferPointer { src in
                for k in 0..<c {
                    for y in 0..<height {
                        let out = dst.baseAddress! + (k * height + y) * width
                        let row = src.baseAddress! + y * resizedWidth * c + k
                        for x in 0..<resizedWidth { out[x] = (Float(row[x * c]) / 255 - 0.5) / 0.5 }
                    }
                }
            }
        }
        return tensor
    }
}
