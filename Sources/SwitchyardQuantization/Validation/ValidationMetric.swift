/// The task metric `validate` reports for each model.
///
/// Accuracy-like metrics are percentages (0–100) and their drop is in percentage points; `cosine`
/// is a similarity in [-1, 1]; `mae` is an error (lower is better, its "drop" is the increase).
public enum ValidationMetric: String, Sendable, CaseIterable, Codable {
    /// Argmax of the first output along its last axis: accuracy against integer labels when given,
    /// agreement with the reference's argmax otherwise.
    case top1
    /// Argmax agreement with the reference, ignoring labels.
    case agreement
    /// Mean cosine similarity of all outputs (flattened) with the reference's.
    case cosine
    /// Mean absolute error of all outputs against the reference's.
    case mae
    /// CTC greedy decoding of the first output (PP-OCR recognizer): exact-line accuracy against the
    /// label text when given, against the reference's text otherwise (leading and trailing spaces
    /// ignored); character error rate too.
    case ctcExact = "ctc-exact"
    /// Ultralytics YOLOv8 detections of the first output (`[N, 4 + classes, anchors]`: score > 0.25,
    /// class-aware NMS at IoU 0.45) matched one-to-one by class at IoU ≥ 0.5 with the reference's:
    /// F1 = 2 · matched / (reference's + candidate's detections) over all samples, in percent.
    case detection
    /// DB text detection (PP-OCR det): the first output's probability map binarised at 0.3 (DB's
    /// threshold) against the reference's: F1 = 2 · |both| / (|reference| + |candidate|) pixels over
    /// all samples, in percent.
    case maskF1 = "mask-f1"
    /// DB text detection (PP-OCR det) at the task's level: the text boxes rapidocr finds in each
    /// probability map (threshold 0.3, box score 0.5, unclip 1.6, dilation) matched one-to-one at
    /// IoU ≥ 0.5 with the reference's: F1 as for `detection`. Pixels at a region's edge that cross
    /// the threshold move `mask-f1` but rarely a box.
    case textBoxes = "text-boxes"

    /// Whether a larger value is better (all but `mae`).
    public var higherIsBetter: Bool { self != .mae }

    /// Whether the metric reads labels when they are given.
    public var usesLabels: Bool { self == .top1 || self == .ctcExact }

    /// How far `candidate` falls behind `reference` (positive = worse).
    public func drop(reference: Double, candidate: Double) -> Double {
        higherIsBetter ? reference - candidate : candidate - reference
    }

    /// The unit the value and the drop are written in.
    public var unit: String {
        switch self {
        case .top1, .agreement, .ctcExact, .detection, .maskF1, .textBoxes: "%"
        case .cosine, .mae: ""
        }
    }
}
