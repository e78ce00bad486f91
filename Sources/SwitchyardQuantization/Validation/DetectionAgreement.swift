import SwitchyardTensor
import SwitchyardVision

/// How well a candidate's detections agree with the reference's on one sample, as an F1 whose
/// parts pool over a set: `hits` = 2 · matched, `total` = reference's + candidate's count.
struct DetectionAgreement {
    var hits: Double
    var total: Double

    /// In percent; 100 when neither found anything.
    var f1: Double { total == 0 ? 100 : 100 * hits / total }

    /// YOLOv8 detections (score > 0.25, class-aware NMS 0.45) matched one-to-one by class at
    /// IoU ≥ 0.5, each candidate box (best score first) taking the unused reference box of its
    /// class it overlaps most.
    static func yolo(_ output: Tensor, reference: Tensor, sampleName: String) throws(QuantizationError) -> DetectionAgreement {
        let decoder = YOLOv8Decoder()
        let found: [[Detection]], truth: [[Detection]]
        do {
            found = try decoder.decode(output)
            truth = try decoder.decode(reference)
        } catch {
            throw QuantizationError("sample '\(sampleName)': --metric detection reads a YOLOv8 output [N, 4 + classes, anchors]: \(error)")
        }
        var matched = 0, total = 0
        for (candidates, references) in zip(found, truth) {
            var used = Set<Int>()
            for detection in candidates {
                var best: Int?, bestIoU: Float = 0.5
                for (index, other) in references.enumerated()
                where !used.contains(index) && other.classIndex == detection.classIndex {
                    let overlap = detection.box.iou(other.box)
                    if overlap >= bestIoU { (best, bestIoU) = (index, overlap) }
                }
                if let best {
                    used.insert(best)
                    matched += 1
                }
            }
            total += candidates.count + references.count
        }
        return DetectionAgreement(hits: Double(2 * matched), total: Double(total))
    }

    /// Pixels above `threshold` in both probability maps, against those above it in either one.
    static func mask(_ output: Tensor, reference: Tensor, threshold: Float = 0.3,
                     sampleName: String) throws(QuantizationError) -> DetectionAgreement {
        guard output.shape == reference.shape, output.dataType.isFloatingPoint, reference.dataType.isFloatingPoint else {
            throw QuantizationError("sample '\(sampleName)': --metric mask-f1 compares float probability maps of one shape; got \(output.dataType) \(output.shape) vs the reference's \(reference.dataType) \(reference.shape)")
        }
        let ours = output.floats(), theirs = reference.floats()
        var both = 0, count = 0
        for (a, b) in zip(ours, theirs) {
            let inA = a > threshold, inB = b > threshold
            if inA && inB { both += 1 }
            count += (inA ? 1 : 0) + (inB ? 1 : 0)
        }
        return DetectionAgreement(hits: Double(2 * both), total: Double(count))
    }
}
