import SwitchyardEngine
import SwitchyardGraph

/// Which Conv/MatMul/Gemm nodes get INT8 weights, and why the others stay FP32.
struct QuantizationPlan {
    /// One node to quantize.
    struct Target {
        var nodeIndex: Int
        /// The float activation the node reads (quantized by a Q/DQ pair).
        var activation: String
        /// The float32 weight initializer and the axis of its output channels.
        var weight: String
        var channelAxis: Int
        /// A float32 bias initializer to store as int32, when the node has one it can take.
        var bias: String?
        /// Where the node's result is quantized again: its output, or the output of a ReLU/Clip
        /// that alone reads it (so DQ → op → ReLU → Q fuses).
        var outputPoint: String
    }

    var targets: [Target] = []
    var kept: [QuantizationReport.Entry] = []
    /// Nodes of the planned op types kept in FP32 (`--exclude`, the accuracy gate): they read
    /// the float value of an activation other nodes read quantized.
    var floatReaders: Set<Int> = []

    /// Activations to calibrate: every target's input and output point, in graph order.
    var activations: [String] {
        var seen = Set<String>(), result: [String] = []
        for target in targets {
            for name in [target.activation, target.outputPoint] where seen.insert(name).inserted { result.append(name) }
        }
        return result
    }

    /// This plan without the targets at `nodeIndices` (they stay FP32).
    func keeping(_ nodeIndices: Set<Int>) -> QuantizationPlan {
        var plan = self
        plan.targets.removeAll { nodeIndices.contains($0.nodeIndex) }
        plan.floatReaders.formUnion(nodeIndices)
        return plan
    }

    /// Plans the nodes of `graph` whose op type is in `ops` (Conv, MatMul, Gemm) and not excluded.
    /// With `quantizeAfterActivation`, a Conv followed only by an activation the engine computes
    /// inside its int8 form (`QDQFusion.int8Activations`: YOLOv8's SiLU, PaddleOCR's HardSwish) is
    /// quantized at the activation's output, where the next layer reads it, rather than before the
    /// activation and again after it.
    init(graph: Graph, exclusion: NodeExclusion, ops: Set<String>, quantizeAfterActivation: Bool = true) {
        var consumers: [String: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in Set(node.inputs) where !input.isEmpty { consumers[input, default: []].append(index) }
        }
        let graphOutputs = Set(graph.outputs.map(\.name))
        let activations = ActivationFinder(graph)
        for (index, node) in graph.nodes.enumerated() where ["Conv", "MatMul", "Gemm"].contains(node.opType) {
            let entry = { (reason: String) in QuantizationReport.Entry(name: node.displayName, opType: node.opType, detail: reason) }
            guard ops.contains(node.opType) else { continue }
            guard node.domain.isEmpty || node.domain == "ai.onnx" else { continue }
            if exclusion.excludes(node) {
                kept.append(entry("excluded by --exclude"))
                floatReaders.insert(index)
                continue
            }
            switch Self.weightLayout(of: node, graph: graph) {
            case .failure(let error):
                kept.append(entry(error.reason))
            case .success(let (weight, axis, bias)):
                var outputPoint = node.outputs[0]
                if !graphOutputs.contains(outputPoint), let readers = consumers[outputPoint], readers.count == 1,
                   ["Relu", "Clip"].contains(graph.nodes[readers[0]].opType), graph.nodes[readers[0]].inputs.first == outputPoint {
                    outputPoint = graph.nodes[readers[0]].outputs[0]
                } else if quantizeAfterActivation, node.opType == "Conv",
                          let activated = activations.activation(after: outputPoint, allowed: QDQFusion.int8Activations),
                          activated.activation != .hardSwish
                            || !Self.readByScalarArithmetic(activated.output, graph: graph, consumers: consumers) {
                    outputPoint = activated.output
                }
                targets.append(Target(nodeIndex: index, activation: node.inputs[0], weight: weight,
                                      channelAxis: axis, bias: bias, outputPoint: outputPoint))
            }
        }
    }

    /// True when a reader of `value` multiplies or offsets it by a constant scalar. PP-OCRv4 rec
    /// follows each HardSwish with such an affine step (PPLCNetV3's learnable affine block):
    /// quantized after the HardSwish and again after the affine step, its held-out line accuracy
    /// fell from 98.5 % to 77.5 %; quantized at the convolution's output, the HardSwish and the
    /// affine step become one byte table in the engine, one rounding and one pass.
    static func readByScalarArithmetic(_ value: String, graph: Graph, consumers: [String: [Int]]) -> Bool {
        (consumers[value] ?? []).contains { index in
            let node = graph.nodes[index]
            return ["Mul", "Add", "Sub", "Div"].contains(node.opType)
                && node.inputs.contains { $0 != value && graph.initializers[$0]?.count == 1 }
        }
    }

    /// The node's weight initializer, its output-channel axis and a bias it can take as int32.
    static func weightLayout(of node: Node, graph: Graph) -> Result<(String, Int, String?), LayoutError> {
        guard node.inputs.count >= 2, node.outputs.count == 1, !node.inputs[0].isEmpty else {
            return .failure(LayoutError("unexpected inputs"))
        }
        guard let weight = graph.initializers[node.inputs[1]] else {
            return .failure(LayoutError("weight '\(node.inputs[1])' is computed at run time, not a constant"))
        }
        guard weight.dataType == .float32 else { return .failure(LayoutError("weight is \(weight.dataType), not float")) }
        let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil
        let floatBias = bias.flatMap { graph.initializers[$0]?.dataType == .float32 ? $0 : nil }
        switch node.opType {
        case "Conv":
            guard weight.rank >= 3 else { return .failure(LayoutError("weight rank \(weight.rank)")) }
            return .success((node.inputs[1], 0, floatBias))
        case "MatMul":
            guard weight.rank == 2 else { return .failure(LayoutError("weight rank \(weight.rank), per-column scales need rank 2")) }
            return .success((node.inputs[1], 1, nil))
        default:
            if case .int(let transA)? = node.attributes["transA"], transA != 0 {
                return .failure(LayoutError("transA = 1 (transposed activation)"))
            }
            guard weight.rank == 2 else { return .failure(LayoutError("weight rank \(weight.rank)")) }
            let transB = if case .int(let value)? = node.attributes["transB"] { value != 0 } else { false }
            let alpha: Float = if case .float(let value)? = node.attributes["alpha"] { value } else { 1 }
            let beta: Float = if case .float(let value)? = node.attributes["beta"] { value } else { 1 }
            let channels = weight.shape[transB ? 0 : 1]
            let intBias = floatBias.flatMap { name in
                alpha == 1 && beta == 1 && graph.initializers[name]?.shape == [channels] ? name : nil
            }
            return .success((node.inputs[1], transB ? 0 : 1, intBias))
        }
    }

    struct LayoutError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
