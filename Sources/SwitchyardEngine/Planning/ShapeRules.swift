import SwitchyardGraph
import SwitchyardTensor

/// A shape rule: the facts of a node's outputs from the facts of its inputs.
typealias ShapeRule = @Sendable (InferenceContext) -> [ValueFact]

/// The shape rules by op type, one table per family (the other files in this folder).
enum ShapeRules {
    static func rule(for node: Node) -> ShapeRule? {
        switch node.domain {
        case "", "ai.onnx": table[node.opType]
        case ReferenceKernels.switchyardDomain: fused[node.opType]
        default: nil
        }
    }

    static let table: [String: ShapeRule] = {
        var table: [String: ShapeRule] = [:]
        for family in [elementwise, convolution, movement, shapeValues, reductions, quantization] {
            table.merge(family) { _, _ in preconditionFailure("a shape rule is registered twice") }
        }
        return table
    }()

    static let fused: [String: ShapeRule] = [
        "FusedConv": convolutionShape,
        "FusedMatMul": matMulShape,
        "QuantizedLookup": { context in
            guard case .tensor(let table)? = context.node.attributes["table"] else { return [ValueFact()] }
            return [ValueFact(dataType: table.dataType, shape: context.shape(0))]
        },
        FakeQuantizeFusion.opType: { [ValueFact(dataType: .float32, shape: $0.shape(0))] },
        DequantizedMeanFusion.opType: { context in
            [ValueFact(dataType: .float32, shape: context.shape(0).map { Array($0.prefix(2)) + Array(repeating: .fixed(1), count: max($0.count - 2, 0)) })]
        },
        QuantizedElementwiseFusion.opType: {
            broadcastShape($0, dataType: QuantizedElementwiseFusion.outputType(of: $0.node))
        },
    ]

    // MARK: Elementwise

    static let unaryOps = [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Celu", "Cos", "Cosh", "Elu", "Erf",
        "Exp", "Floor", "Gelu", "HardSigmoid", "HardSwish", "Hardmax", "Identity", "LeakyRelu", "Log",
        "LogSoftmax", "Mish", "Neg", "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin",
        "Sinh", "Softmax", "Softplus", "Softsign", "Sqrt", "Tan", "Tanh", "ThresholdedRelu", "Clip",
        "BatchNormalization", "InstanceNormalization", "LayerNormalization", "LRN", "MeanVarianceNormalization",
        "CumSum", "Trilu", "BitwiseNot", "GroupNormalization",
    ]
    static let broadcastOps = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Mod", "PRelu",
                               "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor"]
    static let comparisonOps = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"]

    static let elementwise: [String: ShapeRule] = {
        var table: [String: ShapeRule] = [:]
        for op in unaryOps { table[op] = { [ValueFact(dataType: $0.dataType(0), shape: $0.shape(0))] } }
        for op in broadcastOps { table[op] = { broadcastShape($0, dataType: $0.dataType(0)) } }
        for op in comparisonOps { table[op] = { broadcastShape($0, dataType: .bool) } }
        for op in ["Not", "IsNaN", "IsInf"] { table[op] = { [ValueFact(dataType: .bool, shape: $0.shape(0))] } }
        table["Where"] = { context in
            var fact = broadcastShape(context, dataType: context.dataType(1))
            fact[0].elements = nil
            return fact
        }
        table["Dropout"] = { context in
            [ValueFact(dataType: context.dataType(0), shape: context.shape(0)), ValueFact(dataType: .bool, shape: context.shape(0))]
        }
        table["Cast"] = { context in
            let target = context.int("to").flatMap { DataType(rawValue: Int32($0)) }
            var fact = ValueFact(dataType: target, shape: context.shape(0))
            if let target, target.isInteger { fact.elements = context.input(0)?.elements }
            return [fact]
        }
        table["CastLike"] = { [ValueFact(dataType: $0.dataType(1), shape: $0.shape(0))] }
        return table
    }()

    /// Broadcast of all inputs; integer element tracking for `Mul`/`Add` etc. is left to evaluation.
    static func broadcastShape(_ context: InferenceContext, dataType: DataType?) -> [ValueFact] {
        var shapes: [[Dimension]] = []
        for index in context.node.inputs.indices where context.isPresent(index) {
            guard let shape = context.shape(index) else { return [ValueFact(dataType: dataType)] }
            shapes.append(shape)
        }
        return [ValueFact(dataType: dataType, shape: DimensionMath.broadcast(shapes))]
    }

    // MARK: Products

    static func matMulShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard var a = context.shape(0), var b = context.shape(1), !a.isEmpty, !b.isEmpty else {
            return [ValueFact(dataType: dataType)]
        }
        let promotedA = a.count == 1, promotedB = b.count == 1
        if promotedA { a = [.fixed(1)] + a }
        if promotedB { b = b + [.fixed(1)] }
        let batch = DimensionMath.broadcast([Array(a.dropLast(2)), Array(b.dropLast(2))])
        var shape = batch + [a[a.count - 2], b[b.count - 1]]
        if promotedB { shape.removeLast() }
        if promotedA { shape.remove(at: shape.count - (promotedB ? 1 : 2)) }
        return [ValueFact(dataType: dataType, shape: shape)]
    }

    static func gemmShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let a = context.shape(0), let b = context.shape(1), a.count == 2, b.count == 2 else {
            return [ValueFact(dataType: dataType)]
        }
        let rows = context.int("transA", default: 0) != 0 ? a[1] : a[0]
        let columns = context.int("transB", default: 0) != 0 ? b[0] : b[1]
        return [ValueFact(dataType: dataType, shape: [rows, columns])]
    }
}
