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
        return matching(found, truth) { $0.classIndex == $1.classIndex ? $0.box.iou($1.box) : 0 }
    }

    /// PP-OCR text boxes: each DB probability map (`[N, 1, H, W]`) read as rapidocr reads PP-OCRv4's
    /// (`DBPostprocessor` with dilation, in the map's pixels), and each candidate box (best score first)
    /// matched to the unused reference box it overlaps most at IoU ≥ 0.5.
    static func textBoxes(_ output: Tensor, reference: Tensor, sampleName: String) throws(QuantizationError) -> DetectionAgreement {
        guard output.shape == reference.shape, output.rank == 4 else {
            throw QuantizationError("sample '\(sampleName)': --metric text-boxes compares DB probability maps [N, 1, H, W] of one shape; got \(output.shape) vs the reference's \(reference.shape)")
        }
        let postprocessor = DBPostprocessor(dilate: true)
        let found: [[TextRegion]], truth: [[TextRegion]]
        do {
            found = try postprocessor.regions(probability: output, originalWidth: output.shape[3], originalHeight: output.shape[2])
            truth = try postprocessor.regions(probability: reference, originalWidth: output.shape[3], originalHeight: output.shape[2])
        } catch {
            throw QuantizationError("sample '\(sampleName)': --metric text-boxes reads a DB probability map: \(error)")
        }
        return matching(found.map { $0.sorted { $0.score > $1.score } }, truth) { $0.quad.iou($1.quad) }
    }

    /// Per sample, each candidate (in the order given) matched to the unused reference it overlaps
    /// most at `overlap` ≥ 0.5.
    private static func matching<Item>(_ found: [[Item]], _ truth: [[Item]],
                                       overlap: (Item, Item) -> Float) -> DetectionAgreement {
        var matched = 0, total = 0
        for (candidates, references) in zip(found, truth) {
            var used = Set<Int>()
            for candidate in candidates {
                var best: Int?, bestOverlap: Float = 0.5
                for (index, reference) in references.enumerated() where !used.contains(index) {
                    let value = overlap(candidate, reference)
                    if value >= bestOverlap { (best, bestOverlap) = (index, value) }
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
