import SwitchyardGraph
import SwitchyardTensor

/// Marks the convolutions and matrix products whose weights a model stores in BF16
/// (`Cast(bf16 initializer → float)`, as `switchyard quantize --precision bf16` writes them) to
/// compute in BF16 on oneDNN's AVX-512 BF16 kernels: `compute_precision = "bf16"`.
///
/// Runs before constant folding, which turns the Casts into float weights and would erase
/// where they came from; the mark survives fusion into `FusedConv` / `FusedMatMul`, which copy
/// their node's attributes. Layers the quantizer kept in FP32 (`--exclude`, the accuracy gate)
/// have float weights and stay unmarked, so they keep computing in FP32. The optimizer runs
/// this pass when `LoadOptions.bf16Compute` is on (by default, where the CPU computes BF16
/// natively).
public struct BF16ComputeMarking: GraphPass {
    public let name = "bf16-compute-marking"
    /// The attribute that carries the mark, and its value.
    public static let attribute = "compute_precision"
    public static let bf16 = "bf16"
    /// Ops that read their weights at input 1 and have a oneDNN BF16 lowering.
    static let markedOps: Set<String> = ["Conv", "MatMul"]

    public init() {}

    /// Whether `node` carries the mark.
    public static func isMarked(_ node: Node) -> Bool {
        if case .string(bf16) = node.attributes[attribute] { return true }
        return false
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        let usage = GraphUsage(graph)
        var changes: [String] = []
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard Self.markedOps.contains(node.opType), node.domain.isEmpty || node.domain == "ai.onnx",
                  node.inputs.count >= 2, !Self.isMarked(node),
                  readsBF16Weights(node.inputs[1], in: graph, usage: usage) else { continue }
            graph.nodes[index].attributes[Self.attribute] = .string(Self.bf16)
            changes.append("\(node.opType) '\(node.displayName)' computes in BF16 (its weights are stored in BF16)")
        }
        return changes
    }

    /// Whether `name` is a float Cast of a BF16 initializer.
    private func readsBF16Weights(_ name: String, in graph: Graph, usage: GraphUsage) -> Bool {
        guard let producer = usage.producer[name] else { return false }
        let cast = graph.nodes[producer]
        guard cast.opType == "Cast", cast.domain.isEmpty || cast.domain == "ai.onnx", cast.inputs.count == 1,
              case .int(let to) = cast.attributes["to"], to == Int(DataType.float32.rawValue),
              let stored = graph.initializers[cast.inputs[0]] else { return false }
        return stored.dataType == .bfloat16
    }
}
