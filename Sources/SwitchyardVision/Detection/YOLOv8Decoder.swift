import SwitchyardTensor

/// Decodes an Ultralytics YOLOv8 detection head, output `[N, 4 + classes, anchors]` holding per anchor
/// `cx, cy, w, h` (network input pixels) then one score per class, as `non_max_suppression` does:
/// best class per anchor, keep scores above the threshold, then class-aware NMS.
public struct YOLOv8Decoder: Sendable {
    public var scoreThreshold: Float
    public var iouThreshold: Float
    public var maxDetections: Int

    public init(scoreThreshold: Float = 0.25, iouThreshold: Float = 0.45, maxDetections: Int = 300) {
        self.scoreThreshold = scoreThreshold
        self.iouThreshold = iouThreshold
        self.maxDetections = maxDetections
    }

    /// One list of detections per batch item, boxes in network input pixels (map them back with
    /// ``LetterboxTransform/toOriginal(_:)``), best score first.
    public func decode(_ output: Tensor) throws(VisionError) -> [[Detection]] {
        guard output.rank == 3, output.shape[1] > 4, output.shape[2] > 0 else {
            throw .invalidArgument("YOLOv8 output: expected shape [N, 4 + classes, anchors], got \(output.shape)")
        }
        let floats = try floatTensor(output, role: "YOLOv8 output")
        let batch = output.shape[0], rows = output.shape[1], anchors = output.shape[2]
        let classes = rows - 4
        return floats.withUnsafeBufferPointer(of: Float.self) { values in
            (0..<batch).map { n in
                let base = n * rows * anchors
                var candidates: [Detection] = []
                for a in 0..<anchors {
                    var best = -Float.infinity, bestClass = 0
                    for c in 0..<classes {
                        let score = values[base + (4 + c) * anchors + a]
                        if score > best { best = score; bestClass = c }
                    }
                    guard best > scoreThreshold else { continue }
                    let box = Box(centerX: values[base + a], centerY: values[base + anchors + a],
                                  width: values[base + 2 * anchors + a], height: values[base + 3 * anchors + a])
                    candidates.append(Detection(box: box, classIndex: bestClass, score: best))
                }
                return NonMaxSuppression.select(candidates, iouThreshold: iouThreshold, classAware: true, maxCount: maxDetections)
            }
        }
    }
}

/// `tensor` as Float32 (converting Float16, BFloat16 and Float64), or an error naming `role`.
func floatTensor(_ tensor: Tensor, role: String) throws(VisionError) -> Tensor {
    switch tensor.dataType {
    case .float32: return tensor
    case .float16, .bfloat16, .float64: return tensor.converted(to: .float32)
    default: throw .invalidArgument("\(role): expected a floating-point tensor, got \(tensor.dataType)")
    }
}
