import Foundation
import SwitchyardGraph
import SwitchyardTensor

/// Folds a per-channel affine map that follows a `Conv` into the convolution's weights and
/// bias: `BatchNormalization` (inference form), and `Mul`/`Div`/`Add`/`Sub` by a constant that is
/// per output channel or scalar (PaddleOCR's learnable affine blocks, a bias added separately).
/// Only when the convolution's output has no other reader; a missing bias is created.
public struct ConvAffineFolding: GraphPass {
    public let name = "conv-affine-folding"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        var changes: [String] = []
        var names = NameAllocator(graph)
        var index = 0
        var usage = GraphUsage(graph)
        while index < graph.nodes.count {
            if let change = foldAfter(index, in: &graph, usage: usage, names: &names) {
                changes.append(change)
                usage = GraphUsage(graph)
            } else {
                index += 1
            }
        }
        return changes
    }

    /// Folds the affine node reading the output of the `Conv` at `index`, if there is one.
    private func foldAfter(_ index: Int, in graph: inout Graph, usage: GraphUsage, names: inout NameAllocator) -> String? {
        let conv = graph.nodes[index]
        guard conv.opType == "Conv", conv.domain.isEmpty || conv.domain == "ai.onnx",
              conv.inputs.count >= 2, conv.outputs.count == 1,
              let weights = graph.initializers[conv.inputs[1]], weights.dataType == .float32, weights.rank >= 3
        else { return nil }
        let channels = weights.shape[0]
        var bias: [Float]?
        if conv.inputs.count > 2 && !conv.inputs[2].isEmpty {
            guard let existing = graph.initializers[conv.inputs[2]], existing.dataType == .float32,
                  existing.count == channels else { return nil }
            bias = existing.floats()
        }
        let output = conv.outputs[0]
        guard usage.hasSingleUse(output, in: graph), let nextIndex = usage.consumers(of: output).first else { return nil }
        let next = graph.nodes[nextIndex]
        guard let affine = affineMap(of: next, reading: output, channels: channels, rank: weights.rank, graph: graph) else { return nil }

        var newWeights = weights
        let perChannel = weights.count / max(channels, 1)
        newWeights.withUnsafeMutableBufferPointer(of: Float.self) { values in
            for channel in 0..<channels {
                let factor = affine.scale[channel]
                for offset in channel * perChannel..<(channel + 1) * perChannel { values[offset] *= factor }
            }
        }
        let oldBias = bias ?? [Float](repeating: 0, count: channels)
        let newBias = (0..<channels).map { oldBias[$0] * affine.scale[$0] + affine.shift[$0] }

        let weightName = names.fresh("\(conv.inputs[1])_folded")
        let biasName = names.fresh(conv.inputs.count > 2 && !conv.inputs[2].isEmpty ? "\(conv.inputs[2])_folded" : "\(conv.inputs[1])_bias_folded")
        graph.initializers[weightName] = newWeights
        graph.initializers[biasName] = Tensor(shape: [channels], scalars: newBias)
        var fused = conv
        fused.inputs = [conv.inputs[0], weightName, biasName]
        fused.outputs = [next.outputs[0]]
        graph.nodes[index] = fused
        graph.nodes.remove(at: nextIndex)
        graph.valueInfo[output] = nil
        return "folded \(next.opType) '\(next.displayName)' into Conv '\(conv.displayName)'"
    }

    /// y = scale[c] * x + shift[c] for the node reading `input`, when it is such a map
    /// (`ConvTransposeAsConvolution` folds the same maps).
    func affineMap(of node: Node, reading input: String, channels: Int, rank: Int, graph: Graph) -> (scale: [Float], shift: [Float])? {
        guard node.domain.isEmpty || node.domain == "ai.onnx", node.outputs.count >= 1, !node.outputs[0].isEmpty else { return nil }
        let ones = [Float](repeating: 1, count: channels)
        let zeros = [Float](repeating: 0, count: channels)
        switch node.opType {
        case "BatchNormalization":
            guard node.inputs.count == 5, node.inputs[0] == input,
                  node.outputs.dropFirst().allSatisfy({ $0.isEmpty || !isUsed($0, in: graph) }),
                  isInferenceMode(node) else { return nil }
            let parameters = node.inputs[1...4].compactMap { graph.initializers[$0] }
            guard parameters.count == 4, parameters.allSatisfy({ $0.dataType == .float32 && $0.count == channels }) else { return nil }
            let epsilon: Float = if case .float(let value)? = node.attributes["epsilon"] { value } else { 1e-5 }
            let gamma = parameters[0].floats(), beta = parameters[1].floats()
            let mean = parameters[2].floats(), variance = parameters[3].floats()
            let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
            return (scale, (0..<channels).map { beta[$0] - mean[$0] * scale[$0] })
        case "Mul", "Add", "Sub", "Div":
            guard node.inputs.count == 2, node.outputs.count == 1 else { return nil }
            let inputFirst = node.inputs[0] == input
            guard inputFirst || node.inputs[1] == input, node.inputs[0] != node.inputs[1] else { return nil }
            // Only `x - c` and `x / c` are affine in x.
            if !inputFirst && (node.opType == "Sub" || node.opType == "Div") { return nil }
            guard let constant = graph.initializers[node.inputs[inputFirst ? 1 : 0]],
                  let values = perChannel(constant, channels: channels, rank: rank) else { return nil }
            switch node.opType {
            case "Mul": return (values, zeros)
            case "Div": return values.contains(0) ? nil : (values.map { 1 / $0 }, zeros)
            case "Add": return (ones, values)
            default: return (ones, values.map { -$0 })
            }
        default:
            return nil
        }
    }

    /// The values of a float constant that broadcasts along the channel axis (axis 1) of a
    /// rank-`rank` tensor without changing its shape, one per channel.
    private func perChannel(_ constant: Tensor, channels: Int, rank: Int) -> [Float]? {
        guard constant.dataType == .float32, constant.rank <= rank else { return nil }
        let padded = [Int](repeating: 1, count: rank - constant.rank) + constant.shape
        for (axis, size) in padded.enumerated() where size != 1 && !(axis == 1 && size == channels) { return nil }
        let values = constant.floats()
        return values.count == 1 ? [Float](repeating: values[0], count: channels) : values
    }

    private func isInferenceMode(_ node: Node) -> Bool {
        switch node.attributes["training_mode"] {
        case nil, .int(0)?: true
        default: false
        }
    }

    private func isUsed(_ name: String, in graph: Graph) -> Bool {
        graph.outputs.contains { $0.name == name }
            || graph.nodes.contains { $0.inputs.contains(name) || $0.subgraphCaptures().contains(name) }
    }
}
