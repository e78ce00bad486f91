import SwitchyardGraph
import SwitchyardTensor

/// The constant scale and zero point of one QuantizeLinear or DequantizeLinear node, as
/// `QDQFusion` reads them: float32 scale initializers (one, or one per channel), 8-bit zero
/// point initializers (or none, meaning 0), no blocked quantization.
struct QDQParameters {
    let node: Node
    /// The node's first input: the quantized data (DequantizeLinear) or the float value (QuantizeLinear).
    let dataName: String
    let scaleName: String
    let zeroPointName: String?
    let scales: [Double]
    let zeroPoints: [Int64]
    /// The 8-bit type of the quantized side.
    let quantizedType: DataType

    /// Reads `node`'s parameters; `dataType` is the quantized input's type for a
    /// DequantizeLinear (nil for a QuantizeLinear, whose type comes from its zero point).
    init?(_ graph: Graph, _ node: Node, dataType: DataType?, facts: [String: ValueFact]) {
        guard node.inputs.count >= 2, !node.inputs[1].isEmpty,
              let scale = graph.initializers[node.inputs[1]], scale.dataType == .float32, scale.rank <= 1,
              scale.count >= 1 else { return nil }
        if case .int(let blockSize)? = node.attributes["block_size"], blockSize != 0 { return nil }
        self.node = node
        dataName = node.inputs[0]
        scaleName = node.inputs[1]
        scales = scale.doubles()
        guard scales.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        if node.inputs.count >= 3, !node.inputs[2].isEmpty {
            guard let zeroPoint = graph.initializers[node.inputs[2]], zeroPoint.rank <= 1,
                  zeroPoint.count == 1 || zeroPoint.count == scale.count else { return nil }
            zeroPointName = node.inputs[2]
            zeroPoints = zeroPoint.int64s()
            quantizedType = zeroPoint.dataType
        } else {
            zeroPointName = nil
            zeroPoints = [0]
            if let dataType {
                quantizedType = dataType
            } else if case .int(let code)? = node.attributes["output_dtype"], code != 0 {
                guard let declared = DataType(rawValue: Int32(code)) else { return nil }
                quantizedType = declared
            } else {
                quantizedType = .uint8
            }
        }
        if let dataType, dataType != quantizedType { return nil }
        guard quantizedType == .uint8 || quantizedType == .int8 || quantizedType == .int32 else { return nil }
    }

    var isPerTensor: Bool { scales.count == 1 }

    func scale(_ channel: Int) -> Double { scales[scales.count == 1 ? 0 : channel] }

    /// The node's quantization axis, made non-negative for data of rank `rank` (ONNX default 1).
    func axis(rank: Int) -> Int {
        guard case .int(let axis)? = node.attributes["axis"] else { return 1 }
        return axis < 0 ? axis + rank : axis
    }

    /// `[data, scale, zero point]` inputs of a QOperator node for the quantized side; a missing
    /// zero point becomes a zero initializer of the quantized type.
    func dataOperands(_ graph: inout Graph, _ names: inout NameAllocator) -> [String] {
        [dataName] + operands(&graph, &names)
    }

    /// `[scale, zero point]` inputs, as `dataOperands` without the data.
    func operands(_ graph: inout Graph, _ names: inout NameAllocator) -> [String] {
        if let zeroPointName { return [scaleName, zeroPointName] }
        let fresh = names.fresh(scaleName + "_zero_point")
        graph.initializers[fresh] = Tensor(zeros: quantizedType, shape: [])
        return [scaleName, fresh]
    }

    /// True when saturating to the output type (these are a QuantizeLinear's parameters)
    /// already computes `activation` (Relu or Clip with constant bounds) exactly.
    func saturationComputes(_ activation: Node, graph: Graph, opset: Int) -> Bool {
        guard isPerTensor, let range = QuantizedType.range(of: quantizedType) else { return false }
        var low = -Float.infinity, high = Float.infinity
        switch activation.opType {
        case "Relu":
            low = 0
        case "Clip" where opset >= 11:
            for (index, bound) in [(1, "min"), (2, "max")] where index < activation.inputs.count && !activation.inputs[index].isEmpty {
                guard let tensor = graph.initializers[activation.inputs[index]], tensor.dataType == .float32,
                      tensor.count == 1 else { return false }
                if bound == "min" { low = tensor.scalars(as: Float.self)[0] } else { high = tensor.scalars(as: Float.self)[0] }
            }
        case "Clip":
            if case .float(let value)? = activation.attributes["min"] { low = value }
            if case .float(let value)? = activation.attributes["max"] { high = value }
        default:
            return false
        }
        // Q is computed as round(v / scale) + zero_point in float32, like the reference kernel.
        func quantized(_ value: Float) -> Double {
            guard value.isFinite else { return value > 0 ? .infinity : -.infinity }
            return Double((value / Float(scales[0])).rounded(.toNearestOrEven)) + Double(zeroPoints[0])
        }
        return quantized(low) <= range.lowerBound && quantized(high) >= range.upperBound
    }
}
