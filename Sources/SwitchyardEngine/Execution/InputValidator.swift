import SwitchyardGraph
import SwitchyardTensor

/// Checks a run's inputs against the model's declared inputs, naming expected vs. got.
/// Public so that servers can check a request before queueing it.
public enum InputValidator {
    public static func validate(_ inputs: [String: Tensor], against declared: [ValueInfo]) throws(EngineError) {
        try validate(inputs.mapValues { (dataType: Optional($0.dataType), shape: $0.shape) }, against: declared)
    }

    /// Checks input shapes alone (for planning before any tensor exists).
    static func validateShapes(_ shapes: [String: [Int]], against declared: [ValueInfo]) throws(EngineError) {
        try validate(shapes.mapValues { (dataType: DataType?.none, shape: $0) }, against: declared)
    }

    private static func validate(
        _ inputs: [String: (dataType: DataType?, shape: [Int])], against declared: [ValueInfo]
    ) throws(EngineError) {
        let expectedNames = Set(declared.map(\.name))
        let unknown = inputs.keys.filter { !expectedNames.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw .inputMismatch("unknown input\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); the model's inputs are \(declared.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        var symbols: [String: (size: Int, input: String)] = [:]
        for info in declared {
            guard let tensor = inputs[info.name] else {
                throw .inputMismatch("missing input '\(info.name)' (\(describe(info)))")
            }
            if let dataType = info.dataType, let given = tensor.dataType, dataType != given {
                throw .inputMismatch("input '\(info.name)' must be \(dataType), got \(given)")
            }
            guard let shape = info.shape else { continue }
            guard shape.count == tensor.shape.count else {
                throw .inputMismatch("input '\(info.name)' must have rank \(shape.count) (\(describe(info))), got shape \(tensor.shape)")
            }
            for (axis, (dimension, size)) in zip(shape, tensor.shape).enumerated() {
                switch dimension {
                case .fixed(let expected) where expected != size:
                    throw .inputMismatch("input '\(info.name)' dimension \(axis) must be \(expected) (\(describe(info))), got shape \(tensor.shape)")
                // `?` is how some exporters (paddle2onnx) write "unknown", not a shared size.
                case .symbolic(let name) where name != "?":
                    if let bound = symbols[name], bound.size != size {
                        throw .inputMismatch("dimension '\(name)' is \(bound.size) in input '\(bound.input)' but \(size) in input '\(info.name)'")
                    }
                    symbols[name] = (size, info.name)
                default: break
                }
            }
        }
    }

    private static func describe(_ info: ValueInfo) -> String {
        let type = info.dataType.map(\.description) ?? "?"
        let shape = info.shape.map { "[" + $0.map(\.description).joined(separator: ", ") + "]" } ?? "any shape"
        return "\(type) \(shape)"
    }
}
