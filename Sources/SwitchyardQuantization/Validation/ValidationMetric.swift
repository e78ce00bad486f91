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
        case .top1, .agreement, .ctcExact: "%"
        case .cosine, .mae: ""
        }
    }
}
