import SwitchyardGraph
import SwitchyardTensor

/// Computes nodes whose inputs are all known before the model runs, with the reference kernels.
/// Shared by constant folding (any size up to a cap) and shape inference (small values only).
enum ConstantEvaluator {
    /// Operators whose result differs from run to run: never computed ahead of time.
    static let nondeterministic: Set<String> = [
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli",
    ]

    /// Operators whose output size depends on input *values*, so it cannot be bounded by looking
    /// at input sizes: computed only when inference has predicted a concrete output shape.
    static let valueSized: Set<String> = [
        "ConstantOfShape", "Expand", "Tile", "Range", "Resize", "Upsample", "Pad", "OneHot", "EyeLike",
        "NonZero", "Compress", "Unique",
    ]

    /// Element count up to which shape inference computes values.
    static let smallElementLimit = 4096

    /// True when `node` may be computed ahead of time at all.
    static func isEvaluable(_ node: Node) -> Bool {
        (node.domain.isEmpty || node.domain == "ai.onnx")
            && !nondeterministic.contains(node.opType)
            && node.subgraphs.isEmpty
            && node.opType != "Constant"
            && !node.inputs.filter({ !$0.isEmpty }).isEmpty
            && ReferenceKernels.kernel(opType: node.opType, domain: node.domain) != nil
    }

    /// Runs `node` on known inputs; `nil` when its kernel fails (the error then shows at run time).
    static func evaluate(_ node: Node, opset: Int, inputs: [Tensor?]) -> [Tensor]? {
        guard let kernel = ReferenceKernels.kernel(opType: node.opType, domain: node.domain) else { return nil }
        guard let outputs = try? kernel(OpContext(node: node, opset: opset, inputs: inputs)),
              outputs.count >= node.outputs.filter({ !$0.isEmpty }).count || outputs.count == node.outputs.count
        else { return nil }
        return outputs
    }

    /// Computes a node whose inputs are all known and small, during shape inference.
    static func evaluateSmall(_ context: InferenceContext, predicted: [ValueFact]) -> [Tensor]? {
        let node = context.node
        guard isEvaluable(node) else { return nil }
        var inputs: [Tensor?] = []
        for (index, name) in node.inputs.enumerated() {
            if name.isEmpty { inputs.append(nil); continue }
            guard let tensor = context.input(index)?.constant, tensor.count <= smallElementLimit else { return nil }
            inputs.append(tensor)
        }
        guard fits(node, predicted: predicted, elementLimit: smallElementLimit) else { return nil }
        guard let outputs = evaluate(node, opset: context.opset, inputs: inputs),
              outputs.allSatisfy({ $0.count <= smallElementLimit }) else { return nil }
        return outputs
    }

    /// False when the predicted outputs are known to exceed `elementLimit`, or when their size
    /// depends on values and was not predicted.
    static func fits(_ node: Node, predicted: [ValueFact], elementLimit: Int) -> Bool {
        let shapes = predicted.map(\.concreteShape)
        if valueSized.contains(node.opType) && (shapes.isEmpty || shapes.contains { $0 == nil }) { return false }
        return shapes.allSatisfy { shape in (shape?.reduce(1, *) ?? 0) <= elementLimit }
    }
}
