import SwitchyardGraph
import SwitchyardTensor

/// Finds the quantized layers of a QDQ model and rewrites chosen ones back to floating point.
public enum QDQLayerRewrite {
    /// Nodes that read at least one `DequantizeLinear` output (Conv, MatMul, Add… in a QDQ model),
    /// by `Node.displayName`, in graph order. Q/DQ nodes themselves are not layers.
    public static func quantizedLayers(in graph: Graph) -> [String] {
        let dequantized = Set(graph.nodes.filter(isDequantize).flatMap(\.outputs))
        return graph.nodes.filter { node in
            !isDequantize(node) && node.opType != "QuantizeLinear" && node.inputs.contains(where: dequantized.contains)
        }.map(\.displayName)
    }

    /// `candidate` with the layers named in `layers` reading floating-point values instead of their
    /// dequantized inputs: an activation `x → QuantizeLinear → DequantizeLinear → layer` edge becomes
    /// `x → layer` (other readers of the DQ keep it); a weight or bias `DequantizeLinear(initializer)`
    /// becomes the reference's FP32 initializer when `reference` has one of the same shape under the
    /// quantized initializer's name without its `_quantized` suffix (ONNX Runtime's and Switchyard's
    /// naming), else stays dequantized (the engine folds it to FP32 at load: exact weights are lost).
    public static func keepingFloat(_ layers: Set<String>, in candidate: Model, reference: Model?) -> Model {
        var model = candidate
        var producers: [String: Node] = [:]
        for node in model.graph.nodes {
            for output in node.outputs where !output.isEmpty { producers[output] = node }
        }
        let referenceWeights = reference?.graph.initializers ?? [:]
        for index in model.graph.nodes.indices where layers.contains(model.graph.nodes[index].displayName) {
            let node = model.graph.nodes[index]
            for (slot, input) in node.inputs.enumerated() {
                guard let dequantize = producers[input], isDequantize(dequantize), let source = dequantize.inputs.first else { continue }
                if let quantize = producers[source], quantize.opType == "QuantizeLinear", let original = quantize.inputs.first {
                    model.graph.nodes[index].inputs[slot] = original
                } else if let quantized = model.graph.initializers[source],
                          let float = floatWeight(for: source, shape: quantized.shape, in: referenceWeights) {
                    let name = "\(input)_fp32"
                    model.graph.initializers[name] = float
                    model.graph.nodes[index].inputs[slot] = name
                }
            }
        }
        return model
    }

    private static func floatWeight(for quantizedName: String, shape: [Int], in weights: [String: Tensor]) -> Tensor? {
        for suffix in ["_quantized", "_q"] where quantizedName.hasSuffix(suffix) {
            let name = String(quantizedName.dropLast(suffix.count))
            if let weight = weights[name], weight.shape == shape, weight.dataType.isFloatingPoint { return weight }
        }
        return nil
    }

    private static func isDequantize(_ node: Node) -> Bool {
        node.opType == "DequantizeLinear" && (node.domain.isEmpty || node.domain == "ai.onnx" || node.domain == "com.microsoft")
    }
}
