import SwitchyardGraph
import SwitchyardTensor

/// Turns a region's nodes into its members, folding into each convolution the activations that
/// follow it as oneDNN eltwise post-ops, so their intermediates never reach memory. A fused
/// convolution (`FusedConv`, which already carries one activation) takes further ones too.
enum DNNLPostOpFusion {
    /// The members computing `nodes` (with `opsets` and `operations` aligned). An activation is
    /// folded into the convolution before it when it reads only that convolution's output,
    /// nothing else reads that output, and the output does not leave the region (`escaping`).
    static func members(
        _ nodes: [Node], opsets: [Int], operations: [any DNNLOperation], escaping: Set<String>
    ) -> [DNNLRegionKernel.Member] {
        var readers: [String: Int] = [:]
        for node in nodes { for name in node.inputs { readers[name, default: 0] += 1 } }
        var members: [DNNLRegionKernel.Member] = []
        var index = 0
        while index < nodes.count {
            guard var convolution = operations[index] as? DNNLConvolutionOperation else {
                members.append(.init(node: nodes[index], opset: opsets[index], operation: operations[index]))
                index += 1
                continue
            }
            var fused = nodes[index]
            var originals = [(node: nodes[index], opset: opsets[index])]
            var next = index + 1
            while next < nodes.count, let output = fused.outputs.first, readers[output] == 1, !escaping.contains(output),
                  let activation = operations[next] as? DNNLEltwiseOperation, let chain = activation.chain,
                  nodes[next].inputs.first == output {
                convolution.activation += chain
                fused.outputs = nodes[next].outputs
                originals.append((nodes[next], opsets[next]))
                next += 1
            }
            members.append(.init(node: fused, opset: opsets[index], operation: convolution,
                                 originals: originals.count == 1 ? nil : originals))
            index = next
        }
        return members
    }
}
