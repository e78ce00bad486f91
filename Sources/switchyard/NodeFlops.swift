import SwitchyardGraph

/// Floating-point operations of one node from the concrete shapes of its inputs and outputs.
/// Convolutions and matrix products count each multiply-add as 2 (plus 1 per output for a
/// bias); every other operator counts 1 per output element.
enum NodeFlops {
    /// `shapes` holds the concrete shape of every value the node reads or writes; `nil` when a
    /// shape is missing (a value only a subgraph sees).
    static func count(_ node: Node, shapes: [String: [Int]]) -> Int? {
        func shape(_ index: Int, in names: [String]) -> [Int]? {
            index < names.count && !names[index].isEmpty ? shapes[names[index]] : nil
        }
        func hasInput(_ index: Int) -> Bool { index < node.inputs.count && !node.inputs[index].isEmpty }
        guard let output = shape(0, in: node.outputs) else { return nil }
        let outputCount = output.reduce(1, *)
        let isDefault = node.domain.isEmpty || node.domain == "ai.onnx" || node.domain == "ai.switchyard"

        switch (isDefault, node.opType) {
        case (true, "Conv"), (true, "FusedConv"):
            // Each output element takes C/group × kernel-volume multiply-adds.
            guard let weight = shape(1, in: node.inputs), weight.count >= 2 else { return nil }
            let perOutput = weight.dropFirst().reduce(1, *)
            return 2 * outputCount * perOutput + (hasInput(2) ? outputCount : 0) + (hasInput(3) ? outputCount : 0)
        case (true, "ConvTranspose"):
            // Each input element scatters into (M/group) × kernel-volume outputs.
            guard let input = shape(0, in: node.inputs), let weight = shape(1, in: node.inputs), weight.count >= 2 else { return nil }
            let perInput = weight.dropFirst().reduce(1, *)
            return 2 * input.reduce(1, *) * perInput + (hasInput(2) ? outputCount : 0)
        case (true, "MatMul"), (true, "FusedMatMul"), (true, "MatMulInteger"):
            guard let a = shape(0, in: node.inputs), let inner = a.last else { return nil }
            return 2 * outputCount * inner + (node.opType == "FusedMatMul" && hasInput(2) ? outputCount : 0)
        case (true, "Gemm"):
            guard let a = shape(0, in: node.inputs), a.count == 2 else { return nil }
            let transposed = node.attributes["transA"].flatMap { if case .int(let v) = $0 { v != 0 } else { nil } } ?? false
            let inner = transposed ? a[0] : a[1]
            return 2 * outputCount * inner + (hasInput(2) ? outputCount : 0)
        default:
            var total = 0
            for index in node.outputs.indices {
                guard let outputShape = shape(index, in: node.outputs) else { continue }
                total += outputShape.reduce(1, *)
            }
            return total
        }
    }
}
