import SwitchyardTensor

/// NonMaxSuppression (opsets 10, 11): per batch and class, greedily keeps the highest-scoring
/// boxes (ties: lower box index first) whose IoU with every box already kept is at most
/// `iou_threshold`, up to `max_output_boxes_per_class` (default 0: none). With a
/// `score_threshold` input, only boxes scoring above it are candidates. The output lists
/// `[batch, class, box]` triples batch by batch, class by class, in selection order.
enum NonMaxSuppressionKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let boxesTensor = try context.input(0), scoresTensor = try context.input(1)
        guard boxesTensor.rank == 3, boxesTensor.shape[2] == 4 else {
            throw KernelError.invalidArgument("\(op): boxes must have shape [batches, boxes, 4], got \(boxesTensor.shape)")
        }
        guard scoresTensor.rank == 3, scoresTensor.shape[0] == boxesTensor.shape[0], scoresTensor.shape[2] == boxesTensor.shape[1] else {
            throw KernelError.invalidArgument("\(op): scores must have shape [\(boxesTensor.shape[0]), classes, \(boxesTensor.shape[1])] to match boxes \(boxesTensor.shape), got \(scoresTensor.shape)")
        }
        for (tensor, name) in [(boxesTensor, "boxes"), (scoresTensor, "scores")] where !tensor.dataType.isFloatingPoint {
            throw KernelError.invalidArgument("\(op): \(name) must be a float tensor, got \(tensor.dataType)")
        }
        let centerPointBox = try context.int("center_point_box", default: 0)
        guard centerPointBox == 0 || centerPointBox == 1 else {
            throw KernelError.invalidArgument("\(op): center_point_box must be 0 or 1, got \(centerPointBox)")
        }
        let maxPerClass = max(0, try scalar(context, index: 2, name: "max_output_boxes_per_class")?.int64s()[0] ?? 0)
        let iouThreshold = try scalar(context, index: 3, name: "iou_threshold")?.floats()[0] ?? 0
        let scoreThreshold = try scalar(context, index: 4, name: "score_threshold")?.floats()[0]

        let batches = boxesTensor.shape[0], boxCount = boxesTensor.shape[1], classes = scoresTensor.shape[1]
        let boxes = boxesTensor.floats(), scores = scoresTensor.floats()
        var selected: [Int64] = []
        for batch in 0..<batches {
            let corners = (0..<boxCount).map { Corners(boxes, at: (batch * boxCount + $0) * 4, centerPoint: centerPointBox == 1) }
            for classIndex in 0..<classes {
                let classScores = scores[((batch * classes + classIndex) * boxCount)...].prefix(boxCount)
                var candidates = Array(0..<boxCount)
                if let scoreThreshold {
                    candidates = candidates.filter { classScores[classScores.startIndex + $0] > scoreThreshold }
                }
                candidates.sort { lhs, rhs in
                    let left = classScores[classScores.startIndex + lhs], right = classScores[classScores.startIndex + rhs]
                    return left > right || (left == right && lhs < rhs)
                }
                var kept: [Int] = []
                for candidate in candidates {
                    if kept.count >= maxPerClass { break }
                    if kept.allSatisfy({ !corners[candidate].suppresses(corners[$0], threshold: iouThreshold) }) {
                        kept.append(candidate)
                        selected += [Int64(batch), Int64(classIndex), Int64(candidate)]
                    }
                }
            }
        }
        return [Tensor(shape: [selected.count / 3, 3], scalars: selected)]
    }

    /// Optional single-value input `index`; empty tensors count as omitted.
    private static func scalar(_ context: OpContext, index: Int, name: String) throws(KernelError) -> Tensor? {
        guard let tensor = context.optionalInput(index), tensor.count > 0 else { return nil }
        guard tensor.count == 1 else {
            throw .invalidArgument("\(context.node.opType): \(name) must hold a single value, got shape \(tensor.shape)")
        }
        return tensor
    }

    /// A box as its corner extents, from `[y1, x1, y2, x2]` (either diagonal) or
    /// `[x_center, y_center, width, height]`. Float32 arithmetic, as the reference does it.
    private struct Corners {
        var xMin: Float, xMax: Float, yMin: Float, yMax: Float

        init(_ data: [Float], at offset: Int, centerPoint: Bool) {
            if centerPoint {
                let halfWidth = data[offset + 2] / 2, halfHeight = data[offset + 3] / 2
                xMin = data[offset] - halfWidth
                xMax = data[offset] + halfWidth
                yMin = data[offset + 1] - halfHeight
                yMax = data[offset + 1] + halfHeight
            } else {
                yMin = min(data[offset], data[offset + 2])
                yMax = max(data[offset], data[offset + 2])
                xMin = min(data[offset + 1], data[offset + 3])
                xMax = max(data[offset + 1], data[offset + 3])
            }
        }

        var area: Float { (xMax - xMin) * (yMax - yMin) }

        /// True when the IoU of the two boxes exceeds `threshold`.
        func suppresses(_ other: Corners, threshold: Float) -> Bool {
            let width = min(xMax, other.xMax) - max(xMin, other.xMin)
            let height = min(yMax, other.yMax) - max(yMin, other.yMin)
            guard width > 0, height > 0 else { return false }
            let intersection = width * height
            let union = area + other.area - intersection
            guard area > 0, other.area > 0, union > 0 else { return false }
            return intersection / union > threshold
        }
    }
}
