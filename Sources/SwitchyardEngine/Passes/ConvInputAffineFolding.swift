import SwitchyardGraph
import SwitchyardTensor

/// Folds a scalar affine map applied to a convolution's input into its weights and bias:
/// `Conv(W, a * x + b) = Conv(a * W, x) + b * Σ W`, per output channel. This holds only without
/// zero padding (padding would insert zeros where the map would have put `b`), so only
/// unpadded convolutions are rewritten — PaddleOCR's pointwise convolutions after its learnable
/// affine blocks. The affine node's result must have no reader but the convolution.
public struct ConvInputAffineFolding: GraphPass {
    public let name = "conv-input-affine-folding"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        var changes: [String] = []
        var names = NameAllocator(graph)
        var usage = GraphUsage(graph)
        var index = 0
        while index < graph.nodes.count {
            if let change = fold(into: index, in: &graph, usage: usage, names: &names) {
                changes.append(change)
                usage = GraphUsage(graph)
                // The conv moved up by one; look at it again for a further map.
                index = max(0, index - 1)
            } else {
                index += 1
            }
        }
        return changes
    }

    private func fold(into index: Int, in graph: inout Graph, usage: GraphUsage, names: inout NameAllocator) -> String? {
        let conv = graph.nodes[index]
        guard conv.opType == "Conv", conv.domain.isEmpty || conv.domain == "ai.onnx", conv.inputs.count >= 2,
              isUnpadded(conv), let input = conv.inputs.first, !input.isEmpty,
              let weights = graph.initializers[conv.inputs[1]], weights.dataType == .float32, weights.rank >= 3,
              usage.hasSingleUse(input, in: graph), let producerIndex = usage.producer[input] else { return nil }
        let channels = weights.shape[0]
        var bias = [Float](repeating: 0, count: channels)
        if conv.inputs.count > 2 && !conv.inputs[2].isEmpty {
            guard let existing = graph.initializers[conv.inputs[2]], existing.dataType == .float32,
                  existing.count == channels else { return nil }
            bias = existing.floats()
        }
        let producer = graph.nodes[producerIndex]
        guard producer.domain.isEmpty || producer.domain == "ai.onnx", producer.inputs.count == 2,
              producer.outputs == [input] else { return nil }
        let first = producer.inputs[0], second = producer.inputs[1]
        let commutative = producer.opType == "Mul" || producer.opType == "Add"
        let (source, constant): (String, Float)
        if let value = ActivationMatcher.scalar(second, in: graph), graph.initializers[first] == nil {
            (source, constant) = (first, value)
        } else if commutative, let value = ActivationMatcher.scalar(first, in: graph), graph.initializers[second] == nil {
            (source, constant) = (second, value)
        } else {
            return nil
        }

        var newWeights = weights
        switch producer.opType {
        case "Mul", "Div":
            let factor = producer.opType == "Mul" ? constant : 1 / constant
            guard factor.isFinite else { return nil }
            newWeights.withUnsafeMutableBufferPointer(of: Float.self) { values in
                for offset in values.indices { values[offset] *= factor }
            }
        case "Add", "Sub":
            let shift = producer.opType == "Add" ? constant : -constant
            let perChannel = weights.count / max(channels, 1)
            weights.withUnsafeBufferPointer(of: Float.self) { values in
                for channel in 0..<channels {
                    let sum = values[channel * perChannel..<(channel + 1) * perChannel].reduce(0, +)
                    bias[channel] += shift * sum
                }
            }
        default:
            return nil
        }
        let weightName = names.fresh("\(conv.inputs[1])_folded")
        let biasName = names.fresh("\(conv.inputs[1])_bias_folded")
        graph.initializers[weightName] = newWeights
        graph.initializers[biasName] = Tensor(shape: [channels], scalars: bias)
        var folded = conv
        folded.inputs = [source, weightName, biasName]
        graph.nodes[index] = folded
        graph.nodes.remove(at: producerIndex)
        graph.valueInfo[input] = nil
        return "folded \(producer.opType) '\(producer.displayName)' into the input of Conv '\(conv.displayName)'"
    }

    private func isUnpadded(_ conv: Node) -> Bool {
        if case .string(let mode)? = conv.attributes["auto_pad"], mode != "NOTSET" && mode != "VALID" { return false }
        switch conv.attributes["pads"] {
        case nil: return true
        case .ints(let pads)?: return pads.allSatisfy { $0 == 0 }
        default: return false
        }
    }
}
