import SwitchyardGraph
import SwitchyardTensor

/// Rewrites PaddleOCR's decomposed HardSwish (`x · Clip(x + 3, 0, 6) / 6`, or `x ·
/// HardSigmoid(x)`) applied to a FakeQuantize or DequantizeLinear output as one HardSwish node.
/// In a float model `ConvFusion` absorbs such a pattern into the convolution before it; in a QDQ
/// model the quantization between them prevents that, and the four nodes would cost four passes
/// over memory. As one node it is one oneDNN eltwise step: on the float path the region kernel
/// fuses it (and the FakeQuantize after it) into the post-ops of the convolution before; on the
/// int8 path, where the byte passes before this one left it in float (its output has a float
/// reader, e.g. PP-OCRv4 rec's squeeze-excitation pooling), it runs with the scalar steps after it
/// in one pass.
public struct QuantizedActivationRecomposition: GraphPass {
    public let name = "quantized-activation-recomposition"

    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard graph.nodes.contains(where: Self.isQuantizationOutput) else { return [] }
        var changes: [String] = []
        var usage = GraphUsage(graph)
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            guard Self.isQuantizationOutput(node), let value = node.outputs.first,
                  let match = ActivationMatcher.match(value, in: graph, usage: usage, allowed: ["HardSwish"]),
                  match.activation == .hardSwish, match.nodes.count > 1 else {
                index += 1
                continue
            }
            let fused = Node(name: graph.nodes[match.nodes.max()!].name, opType: "HardSwish", inputs: [value],
                             outputs: [match.output])
            FusionRewrite.replace(match.nodes, with: fused, in: &graph)
            usage = GraphUsage(graph)
            changes.append("\(match.nodes.count) nodes after \(node.opType) '\(node.displayName)' became one HardSwish")
            index += 1
        }
        return changes
    }

    private static func isQuantizationOutput(_ node: Node) -> Bool {
        (node.opType == FakeQuantizeFusion.opType && node.domain == ReferenceKernels.switchyardDomain)
            || (node.opType == "DequantizeLinear" && (node.domain.isEmpty || node.domain == "ai.onnx"))
    }
}
