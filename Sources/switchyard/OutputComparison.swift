import SwitchyardTensor

/// How closely one of Switchyard's outputs matches ONNX Runtime's.
struct OutputAgreement: Encodable, Equatable {
    var name: String
    /// Largest |ours − theirs|.
    var maxAbsoluteError: Double
    /// Largest |ours − theirs| / max(|theirs|, 1e-6).
    var maxRelativeError: Double
    /// Set when the outputs cannot be compared element by element (shape or type differ).
    var mismatch: String?

    /// Compares element by element (as `Double`). NaN in the same place counts as equal.
    static func compare(name: String, ours: Tensor, theirs: Tensor) -> OutputAgreement {
        guard ours.shape == theirs.shape else {
            return OutputAgreement(name: name, maxAbsoluteError: .infinity, maxRelativeError: .infinity,
                                   mismatch: "shape \(ours.shape) vs ONNX Runtime's \(theirs.shape)")
        }
        guard ours.dataType != .string && theirs.dataType != .string else {
            let equal = ours.dataType == theirs.dataType && ours.strings == theirs.strings
            return OutputAgreement(name: name, maxAbsoluteError: equal ? 0 : .infinity, maxRelativeError: equal ? 0 : .infinity,
                                   mismatch: equal ? nil : "string outputs differ")
        }
        var absolute = 0.0, relative = 0.0
        for (a, b) in zip(ours.doubles(), theirs.doubles()) {
            if a.isNaN && b.isNaN || a == b { continue }
            let difference = abs(a - b)
            absolute = max(absolute, difference.isNaN ? .infinity : difference)
            relative = max(relative, difference.isNaN ? .infinity : difference / max(abs(b), 1e-6))
        }
        let typeNote = ours.dataType == theirs.dataType ? nil : "type \(ours.dataType) vs ONNX Runtime's \(theirs.dataType)"
        return OutputAgreement(name: name, maxAbsoluteError: absolute, maxRelativeError: relative, mismatch: typeNote)
    }
}
