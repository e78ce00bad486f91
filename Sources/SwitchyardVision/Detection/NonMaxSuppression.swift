/// Greedy non-maximum suppression as in Ultralytics' `non_max_suppression` (torchvision `nms`).
public enum NonMaxSuppression {
    /// Keeps detections in descending score order (ties: the earlier one first), dropping any whose IoU
    /// with an already kept one is above `iouThreshold`. `classAware`: only boxes of the same class
    /// suppress each other. At most `maxCount` are returned.
    public static func select(_ detections: [Detection], iouThreshold: Float, classAware: Bool = true, maxCount: Int = 300) -> [Detection] {
        let order = detections.indices.sorted {
            detections[$0].score != detections[$1].score ? detections[$0].score > detections[$1].score : $0 < $1
        }
        var kept: [Detection] = []
        kept.reserveCapacity(min(maxCount, detections.count))
        for index in order {
            guard kept.count < maxCount else { break }
            let candidate = detections[index]
            let suppressed = kept.contains { k in
                (!classAware || k.classIndex == candidate.classIndex) && k.box.iou(candidate.box) > iouThreshold
            }
            if !suppressed { kept.append(candidate) }
        }
        return kept
    }
}
