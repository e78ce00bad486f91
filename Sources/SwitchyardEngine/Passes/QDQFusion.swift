import SwitchyardGraph
import SwitchyardTensor

/// Rewrites the QDQ form of quantized convolutions and matrix products into the ONNX QOperator
/// nodes that compute them on integers:
///
///     DequantizeLinear(x_q) ─┐
///     DequantizeLinear(w_q) ─┼→ Conv [→ Relu | Clip | SiLU] → QuantizeLinear   ⇒  QLinearConv
///     [bias]                ─┘
///     DequantizeLinear(a_q), DequantizeLinear(b_q) → MatMul [→ Relu | Clip] → QuantizeLinear ⇒ QLinearMatMul
///
/// This is the form `onnxruntime.quantization.quantize_static` writes (U8S8 and S8S8). Only
/// patterns computed as the QDQ graph computes them are rewritten:
/// - activations (`x_q`, `a_q`) and the output are per tensor; weights are constant 8-bit
///   initializers, per tensor or per output channel (Conv: axis 0; MatMul: axis 1 of a 2-D B);
/// - the bias is an int32 initializer dequantized with scale `x_scale · w_scale` (ORT's form),
///   used as is, or a float initializer, quantized to that scale (error ≤ half a bias step,
///   far below one output step);
/// - an activation between the product and the QuantizeLinear is absorbed only when the
///   output's saturation computes it exactly: QuantizeLinear is monotonic, so
///   `Q(Relu(v)) = max(Q(v), Q(0))` equals `Q(v)` when `Q(0)` is the type's minimum
///   (y_zero_point = 0 for uint8, −128 for int8), and likewise for Clip's bounds;
/// - a SiLU (`v · Sigmoid(v)`, YOLOv8's activation) or a HardSwish (one node, `v ·
///   HardSigmoid(v)` or PaddleOCR's `v · Clip(v + 3, 0, 6) / 6`), which `quantize` quantizes
///   after, between a Conv and the QuantizeLinear becomes the QLinearConv's `activation`
///   (`Swish` with alpha 1, `HardSwish`), the engine's fused-activation attributes
///   (`FusedActivation`): it is applied to the real accumulator `acc · x_scale · w_scale` before
///   the division by `y_scale` (the reference kernel, oneDNN's eltwise post-ops and the engine's
///   own int8 kernels all honour it).
/// Anything else (float output without a QuantizeLinear, a runtime weight, blocked scales)
/// stays as it is; constant folding then dequantizes the weights once.
///
/// Without VNNI, oneDNN's int8 kernels are exact only for weights within ±63
/// (`DNNLQuantizedOperands.largestExactWeightWithoutVNNI`); full-range weights would run on
/// the scalar reference kernel, slower than float. Such patterns are left to the float path,
/// and the change list says so only for the patterns it fuses.
///
/// `execution` chooses which exact patterns are fused (`Int8CostRule`); the others stay on the
/// float path, where `FakeQuantizeFusion` turns their activations' Q/DQ pairs into post-ops.
public struct QDQFusion: GraphPass {
    public let name = "qdq-fusion"
    public let execution: QuantizedExecution

    /// The activations (`FusedActivation` names) a Conv's int8 form computes between its
    /// accumulator and its quantized output; `quantize` places a layer's output quantization after them.
    public static let int8Activations: Set<String> = ["Swish", "HardSwish"]

    public init(execution: QuantizedExecution = .automatic) {
        self.execution = execution
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        // Without oneDNN's int8 JIT kernels the QOperator nodes would run on scalar reference
        // loops, slower than the dequantized float graph (`DNNLInt8Support.summary`).
        guard DNNLInt8Support.isAvailable, execution != .float,
              graph.nodes.contains(where: { $0.opType == "QuantizeLinear" && Self.isONNX($0) }),
              (scope.opsets[""] ?? 1) >= 10 else { return [] }
        let facts = scope.facts(of: graph)
        var names = NameAllocator(graph)
        var changes: [String] = []
        // Rebuilt only when a fusion rewrote the nodes: building it per candidate made loading a
        // quantized YOLOv8n take two seconds.
        var usage = GraphUsage(graph)
        var index = 0
        while index < graph.nodes.count {
            if let change = fuse(at: index, in: &graph, usage: usage, facts: facts, names: &names,
                                 opset: scope.opsets[""] ?? 1) {
                changes.append(change)
                usage = GraphUsage(graph)
                index = 0
            } else {
                index += 1
            }
        }
        return changes
    }

    static func isONNX(_ node: Node) -> Bool { node.domain.isEmpty || node.domain == "ai.onnx" }

    private static let eightBit: Set<DataType> = [.uint8, .int8]

    /// True when oneDNN's int8 kernels compute these weights exactly on this CPU: int8 weights
    /// (what they take) within the non-VNNI saturation bound, or any int8 weights with VNNI.
    static func runsExactly(_ weights: Tensor) -> Bool {
        guard weights.dataType == .int8 else { return false }
        if DNNLInt8Support.hasVNNI { return true }
        let bound = DNNLQuantizedOperands.largestExactWeightWithoutVNNI
        return weights.int64s().allSatisfy { abs($0) <= bound }
    }

    /// Tries to rewrite the pattern ending at the QuantizeLinear node `index`; `usage` describes
    /// `graph`'s nodes (a failed attempt may add initializers, never nodes).
    private func fuse(at index: Int, in graph: inout Graph, usage: GraphUsage, facts: [String: ValueFact],
                      names: inout NameAllocator, opset: Int) -> String? {
        let quantize = graph.nodes[index]
        guard quantize.opType == "QuantizeLinear", Self.isONNX(quantize), quantize.outputs.count == 1,
              let output = QDQParameters(graph, quantize, dataType: nil, facts: facts), output.isPerTensor,
              Self.eightBit.contains(output.quantizedType),
              quantize.attributes["output_dtype"] == nil || output.zeroPointName != nil else { return nil }
        guard var producerIndex = usage.producer[quantize.inputs[0]],
              usage.hasSingleUse(quantize.inputs[0], in: graph) else { return nil }
        var pattern: Set<Int> = [index]
        var absorbed: String?
        var activation: FusedActivation?
        let candidate = graph.nodes[producerIndex]
        if candidate.opType == "Relu" || candidate.opType == "Clip", Self.isONNX(candidate) {
            guard output.saturationComputes(candidate, graph: graph, opset: opset),
                  let inner = usage.producer[candidate.inputs[0]], usage.hasSingleUse(candidate.inputs[0], in: graph)
            else { return nil }
            pattern.insert(producerIndex)
            absorbed = candidate.opType
            producerIndex = inner
        } else if let fused = Self.activation(ending: producerIndex, in: graph, usage: usage) {
            pattern.formUnion(fused.match.nodes)
            activation = fused.match.activation
            producerIndex = fused.convolution
        }
        let core = graph.nodes[producerIndex]
        guard Self.isONNX(core), core.outputs.count == 1 else { return nil }
        pattern.insert(producerIndex)

        let fused: Node
        switch core.opType {
        case "Conv":
            guard var node = convolution(core, output: output, quantize: quantize, graph: &graph, usage: usage,
                                         facts: facts, names: &names) else { return nil }
            if let activation {
                node.attributes.merge(activation.attributes) { _, new in new }
            }
            fused = node
        case "MatMul":
            guard let node = matMul(core, output: output, quantize: quantize, graph: &graph, usage: usage,
                                    facts: facts, names: &names) else { return nil }
            fused = node
        default:
            return nil
        }
        FusionRewrite.replace(pattern, with: fused, in: &graph)
        let suffix = activation.map { " (\($0.name) as its activation)" }
            ?? absorbed.map { " (\($0) absorbed by the output's saturation)" } ?? ""
        return "fused DequantizeLinear → \(core.opType) '\(core.displayName)' → QuantizeLinear into \(fused.opType)\(suffix)"
    }

    /// The fused activation (`int8Activations`) whose last node is `index`, applied to a Conv's
    /// output that only it reads: its nodes and the Conv's index. The Conv is at most three
    /// producers up (PaddleOCR's HardSwish: Div ← Mul ← Conv).
    private static func activation(ending index: Int, in graph: Graph,
                                   usage: GraphUsage) -> (match: ActivationMatch, convolution: Int)? {
        var frontier = [index], seen: Set<Int> = [index]
        for _ in 0..<3 {
            var next: [Int] = []
            for node in frontier {
                for value in Set(graph.nodes[node].inputs) {
                    guard let producer = usage.producer[value], seen.insert(producer).inserted else { continue }
                    if graph.nodes[producer].opType == "Conv", isONNX(graph.nodes[producer]),
                       let match = ActivationMatcher.match(value, in: graph, usage: usage, allowed: int8Activations),
                       [FusedActivation.swish(alpha: 1), .hardSwish].contains(match.activation),
                       match.nodes.contains(index), match.output == graph.nodes[index].outputs.first {
                        return (match, producer)
                    }
                    next.append(producer)
                }
            }
            frontier = next
        }
        return nil
    }

    private func convolution(_ conv: Node, output: QDQParameters, quantize: Node, graph: inout Graph, usage: GraphUsage,
                             facts: [String: ValueFact], names: inout NameAllocator) -> Node? {
        guard conv.inputs.count >= 2, conv.inputs.count <= 3,
              let x = dequantized(conv.inputs[0], graph, usage, facts), x.isPerTensor,
              let w = dequantized(conv.inputs[1], graph, usage, facts), graph.initializers[w.dataName] != nil,
              let weights = graph.initializers[w.dataName], weights.rank >= 3, Self.runsExactly(weights) else { return nil }
        let channels = weights.shape[0]
        let group: Int
        if case .int(let value)? = conv.attributes["group"] { group = value } else { group = 1 }
        guard Int8CostRule.convolutionRunsInteger(weightShape: weights.shape, group: group, mode: execution),
              w.isPerTensor || (w.scales.count == channels && w.axis(rank: weights.rank) == 0) else { return nil }
        var inputs = x.dataOperands(&graph, &names) + w.dataOperands(&graph, &names) + output.operands(&graph, &names)
        if conv.inputs.count == 3, !conv.inputs[2].isEmpty {
            guard let bias = int32Bias(conv.inputs[2], x: x, w: w, channels: channels, graph: &graph, usage: usage,
                                       facts: facts, names: &names) else { return nil }
            inputs.append(bias)
        }
        let kept: Set<String> = ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"]
        return Node(name: conv.name, opType: "QLinearConv", domain: "", inputs: inputs, outputs: quantize.outputs,
                    attributes: conv.attributes.filter { kept.contains($0.key) }, docString: conv.docString)
    }

    private func matMul(_ matMul: Node, output: QDQParameters, quantize: Node, graph: inout Graph, usage: GraphUsage,
                        facts: [String: ValueFact], names: inout NameAllocator) -> Node? {
        guard matMul.inputs.count == 2,
              let a = dequantized(matMul.inputs[0], graph, usage, facts), a.isPerTensor,
              let b = dequantized(matMul.inputs[1], graph, usage, facts),
              let weights = graph.initializers[b.dataName], weights.rank == 2, Self.runsExactly(weights) else { return nil }
        guard Int8CostRule.matMulRunsInteger(depth: weights.shape[0], mode: execution),
              b.isPerTensor || (b.scales.count == weights.shape[1] && b.axis(rank: 2) == 1) else { return nil }
        let inputs = a.dataOperands(&graph, &names) + b.dataOperands(&graph, &names) + output.operands(&graph, &names)
        return Node(name: matMul.name, opType: "QLinearMatMul", domain: "", inputs: inputs, outputs: quantize.outputs,
                    docString: matMul.docString)
    }

    /// The quantization parameters of `value` when a DequantizeLinear of 8-bit data with
    /// constant parameters produces it.
    private func dequantized(_ value: String, _ graph: Graph, _ usage: GraphUsage,
                             _ facts: [String: ValueFact]) -> QDQParameters? {
        guard let index = usage.producer[value] else { return nil }
        let node = graph.nodes[index]
        guard node.opType == "DequantizeLinear", Self.isONNX(node), !node.inputs.isEmpty,
              let type = graph.initializers[node.inputs[0]]?.dataType ?? facts[node.inputs[0]]?.dataType,
              Self.eightBit.contains(type) || (type == .int32 && graph.initializers[node.inputs[0]] != nil)
        else { return nil }
        return QDQParameters(graph, node, dataType: type, facts: facts)
    }

    /// The int32 bias input of the fused convolution (scale `x_scale · w_scale[c]`), or nil.
    private func int32Bias(_ name: String, x: QDQParameters, w: QDQParameters, channels: Int, graph: inout Graph,
                           usage: GraphUsage, facts: [String: ValueFact], names: inout NameAllocator) -> String? {
        let expected = (0..<channels).map { Float(x.scales[0]) * Float(w.scale($0)) }
        if let bias = dequantized(name, graph, usage, facts), let data = graph.initializers[bias.dataName],
           data.dataType == .int32, data.count == channels, bias.zeroPoints.allSatisfy({ $0 == 0 }) {
            let matches = (0..<channels).allSatisfy { c in
                abs(Float(bias.scale(c)) - expected[c]) <= 1e-5 * abs(expected[c])
            }
            return matches ? bias.dataName : nil
        }
        guard let value = graph.initializers[name], value.dataType == .float32, value.count == channels else { return nil }
        let floats = value.scalars(as: Float.self)
        var quantized: [Int32] = []
        for c in 0..<channels {
            let step = Double(expected[c])
            guard step > 0 else { return nil }
            let q = (Double(floats[c]) / step).rounded(.toNearestOrEven)
            guard abs(q) < Double(Int32.max) else { return nil }
            quantized.append(Int32(q))
        }
        let fresh = names.fresh(name + "_int32")
        graph.initializers[fresh] = Tensor(shape: [channels], scalars: quantized)
        return fresh
    }
}
