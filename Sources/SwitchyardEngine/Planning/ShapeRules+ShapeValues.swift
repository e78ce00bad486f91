import SwitchyardGraph
import SwitchyardTensor

extension ShapeRules {
    /// Operators that produce shapes, or tensors shaped by a value.
    static let shapeValues: [String: ShapeRule] = [
        "Shape": shapeOfShape,
        "Size": { context in
            var fact = ValueFact(dataType: .int64, shape: [])
            if let shape = context.shape(0) { fact.elements = [shape.reduce(Dimension.fixed(1), DimensionMath.multiply)] }
            return [fact]
        },
        "Constant": { context in
            guard let tensor = ConstantValue.tensor(of: context.node) else { return [ValueFact()] }
            return [ValueFact(tensor: tensor)]
        },
        "ConstantOfShape": { context in
            let dataType = context.tensor("value")?.dataType ?? .float32
            if let elements = context.input(0)?.elements { return [ValueFact(dataType: dataType, shape: elements)] }
            if let rank = context.shape(0)?.first?.fixedValue {
                return [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: rank))]
            }
            return [ValueFact(dataType: dataType)]
        },
        "Range": { context in
            // max(ceil((limit - start) / delta), 0) elements, when all three are known.
            let bounds = (0..<3).compactMap { context.input($0)?.constant?.doubles().first }
            guard bounds.count == 3, bounds[2] != 0 else { return [ValueFact(dataType: context.dataType(0), shape: [.unknown])] }
            let count = Swift.max(Int(((bounds[1] - bounds[0]) / bounds[2]).rounded(.up)), 0)
            return [ValueFact(dataType: context.dataType(0), shape: [.fixed(count)])]
        },
        "NonZero": { context in
            [ValueFact(dataType: .int64, shape: [context.shape(0).map { .fixed($0.count) } ?? .unknown, .unknown])]
        },
        "EyeLike": { context in
            let target = context.int("dtype").flatMap { DataType(rawValue: Int32($0)) } ?? context.dataType(0)
            return [ValueFact(dataType: target, shape: context.shape(0))]
        },
    ]

    /// `Shape` (with opset 15's `start`/`end`): its elements are the input's dimensions.
    static func shapeOfShape(_ context: InferenceContext) -> [ValueFact] {
        guard let shape = context.shape(0) else { return [ValueFact(dataType: .int64, shape: [.unknown])] }
        let rank = shape.count
        func resolve(_ value: Int) -> Int { Swift.min(Swift.max(value < 0 ? value + rank : value, 0), rank) }
        let start = resolve(context.int("start", default: 0))
        let end = resolve(context.int("end", default: rank))
        let elements = start < end ? Array(shape[start..<end]) : []
        return [ValueFact(dataType: .int64, shape: [.fixed(elements.count)], elements: elements)]
    }
}

/// The tensor a `Constant` node holds, from whichever of its value attributes is set.
enum ConstantValue {
    static func tensor(of node: Node) -> Tensor? {
        switch node.attributes["value"] ?? node.attributes["value_float"] ?? node.attributes["value_floats"]
            ?? node.attributes["value_int"] ?? node.attributes["value_ints"] ?? node.attributes["value_string"]
            ?? node.attributes["value_strings"] {
        case .tensor(let tensor)?: tensor
        case .float(let value)? where node.attributes["value_float"] != nil: Tensor(scalar: value)
        case .floats(let values)?: Tensor(shape: [values.count], scalars: values)
        case .int(let value)?: Tensor(scalar: Int64(value))
        case .ints(let values)?: Tensor(shape: [values.count], scalars: values.map(Int64.init))
        case .string(let value)?: Tensor(shape: [], strings: [value])
        case .strings(let values)?: Tensor(shape: [values.count], strings: values)
        default: nil
        }
    }
}
