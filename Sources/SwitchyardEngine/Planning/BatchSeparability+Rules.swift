import SwitchyardGraph
import SwitchyardTensor

/// Which operators keep the items of a batch apart, and under which attributes.
extension BatchSeparability {
    /// Operators computed element by element, every input a (broadcast) data input.
    static let elementwise: Set<String> = [
        "Abs", "Acos", "Acosh", "Add", "And", "Asin", "Asinh", "Atan", "Atanh", "BitShift", "BitwiseAnd", "BitwiseNot",
        "BitwiseOr", "BitwiseXor", "Cast", "Ceil", "Celu", "Cos", "Cosh", "Div", "Dropout", "Elu", "Equal", "Erf", "Exp",
        "Floor", "Gelu", "Greater", "GreaterOrEqual", "HardSigmoid", "HardSwish", "Identity", "IsInf", "IsNaN",
        "LeakyRelu", "Less", "LessOrEqual", "Log", "Max", "Mean", "Min", "Mish", "Mod", "Mul", "Neg", "Not", "Or",
        "Pow", "PRelu", "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Softplus",
        "Softsign", "Sqrt", "Sub", "Sum", "Tan", "Tanh", "ThresholdedRelu", "Where", "Xor",
        FakeQuantizeFusion.opType, QuantizedLookupFusion.opType, QuantizedElementwiseFusion.opType,
    ]

    /// Operators on NCHW-style data with the batch first, whose other inputs are weights
    /// (`FusedConv`'s fourth input, the residual, is data too).
    static let batchFirst: Set<String> = [
        "AveragePool", "BatchNormalization", "Conv", "ConvInteger", "ConvTranspose", "DepthToSpace", "FusedConv",
        "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool", "InstanceNormalization", "LpPool", "LRN", "MaxPool",
        "QLinearConv", "SpaceToDepth", DequantizedMeanFusion.opType,
    ]

    static let reductions: Set<String> = [
        "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
        "ReduceSum", "ReduceSumSquare",
    ]

    /// Why the node does not keep the items of its batch apart, or nil when it does.
    static func itemwiseViolation(_ operands: Operands) -> String? {
        let node = operands.node
        let context = operands.context
        guard node.domain.isEmpty || node.domain == ReferenceKernels.switchyardDomain || node.domain == "ai.onnx" else {
            return "is from domain '\(node.domain)', which the batch rules do not cover"
        }
        let type = node.opType
        // A QuantizedElementwise body is elementwise operators, like the node.
        if !node.subgraphs.isEmpty && !QuantizedElementwiseFusion.isFused(node) { return "runs subgraphs over batch data" }
        if elementwise.contains(type) {
            for index in operands.roles.indices {
                if let reason = operands.broadcastData(index) { return reason }
            }
            return nil
        }
        if batchFirst.contains(type) {
            guard operands.batchAxis(0) == 0, operands.outputBatchAxis == 0 else { return "does not take data with the batch first" }
            if type == "BatchNormalization", context.int("training_mode", default: 0) != 0 || operands.outputRoles.count > 1 {
                return "computes batch statistics (training mode)"
            }
            if type == "FusedConv", operands.role(3) != nil, let reason = operands.broadcastData(3) { return reason }
            return operands.parameters(except: type == "FusedConv" ? [0, 3] : [0])
        }
        if reductions.contains(type) {
            let keepsAll = context.int("noop_with_empty_axes", default: 0) == 1
            return operands.axesAvoid(operands.batchAxis(0), attributeBefore: type == "ReduceSum" ? 13 : 18, inputIndex: 1,
                                      rank: operands.rank(0), noneMeansAll: !keepsAll)
                ?? operands.parameters(except: [0])
        }
        if let verdict = leadingDataViolation(operands) { return verdict }
        if let verdict = pairedDataViolation(operands) { return verdict }
        return "is not known to keep the items of a batch apart"
    }

    /// Operators with one data input (the first) and settings. nil when the operator is not
    /// covered here; `.some(nil)` when its use keeps items apart.
    private static func leadingDataViolation(_ operands: Operands) -> String?? {
        let context = operands.context
        let batch = operands.batchAxis(0)
        let check: String?
        switch operands.node.opType {
        case "Softmax", "LogSoftmax", "Hardmax":
            check = context.opset >= 13 ? operands.alongAxis(context.int("axis") ?? -1) : operands.beforeAxis(context.int("axis") ?? 1)
        case "LayerNormalization":
            check = operands.beforeAxis(context.int("axis") ?? -1)
        case "LpNormalization", "TopK":
            check = operands.alongAxis(context.int("axis") ?? -1)
        case "ArgMax", "ArgMin", "Split":
            check = operands.alongAxis(context.int("axis") ?? 0)
        case "CumSum":
            check = operands.alongAxis(operands.ints(1)?.first)
        case "Flatten":
            check = operands.beforeAxis(context.int("axis") ?? 1)
        case "Squeeze":
            check = operands.axesAvoid(batch, attributeBefore: 13, inputIndex: 1, rank: operands.rank(0), noneMeansAll: true)
        case "Unsqueeze", "Transpose", "Expand", "Shape", "Size", "Clip", "CastLike", "OneHot":
            // Where the batch lands is shape inference's answer, checked for every output.
            check = operands.node.opType == "Expand" ? operands.broadcastData(0) : nil
        case "Reshape":
            check = reshapeViolation(operands)
        case "Slice":
            check = sliceViolation(operands)
        case "Tile":
            check = operands.ints(1).map { repeats in batch.map { $0 < repeats.count && repeats[$0] == 1 } == true ? nil : "repeats along the batch" }
                ?? "has repeats computed at run time"
        case "Pad":
            check = padViolation(operands)
        case "Resize", "Upsample":
            check = resizeViolation(operands)
        case "QuantizeLinear", "DequantizeLinear":
            let perAxis = (context.shape(1)?.count ?? 0) > 0 && context.shape(1) != [.fixed(1)]
            check = perAxis ? operands.alongAxis(context.int("axis") ?? 1) : nil
        default:
            return nil
        }
        if let check { return .some(check) }
        guard batch != nil else { return .some("does not take batch data first") }
        // Inputs after the first are settings; those that give sizes may follow the batch size.
        let shapeInputs: Set<String> = ["Reshape", "Expand", "Slice", "Resize", "Upsample", "TopK", "Tile", "CastLike", "Unsqueeze", "Squeeze"]
        for index in operands.roles.indices.dropFirst() {
            if operands.role(index)?.isBatched == true { return .some("reads batch data '\(operands.node.inputs[index])' as a setting") }
            if !shapeInputs.contains(operands.node.opType), let reason = operands.parameter(index) { return .some(reason) }
        }
        return .some(nil)
    }

    /// A row-major reshape keeps each item's elements together when the dimensions before the
    /// batch hold as many elements before and after it (none, when the batch is first in both).
    private static func reshapeViolation(_ operands: Operands) -> String? {
        guard let inputAxis = operands.batchAxis(0), let outputAxis = operands.outputBatchAxis,
              let input = operands.context.shape(0), let output = operands.node.outputs.first.flatMap({ operands.facts[$0]?.shape })
        else { return "reshapes data whose batch cannot be followed" }
        let before = Array(input.prefix(inputAxis)), after = Array(output.prefix(outputAxis))
        if before == after { return nil }
        let product: ([Dimension]) -> Int? = { dims in
            dims.reduce(Optional(1)) { total, dim in total.flatMap { total in dim.fixedValue.map { total * $0 } } }
        }
        guard let left = product(before), let right = product(after), left == right else {
            return "regroups the batch with other dimensions"
        }
        return nil
    }
}
