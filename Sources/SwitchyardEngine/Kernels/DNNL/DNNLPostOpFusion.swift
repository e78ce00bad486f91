import SwitchyardGraph
import SwitchyardTensor

/// Turns a region's nodes into its members, folding the elementwise operators that follow a
/// convolution, binary or elementwise operator into it as oneDNN eltwise post-ops (an
/// activation, then a FakeQuantize chain, say), so their intermediates never reach memory.
enum DNNLPostOpFusion {
    /// The members computing `nodes` (with `opsets` and `operations` aligned). An elementwise
    /// operator is folded into the member before it when it reads only that member's output,
    /// nothing else reads that output, the output does not leave the region (`escaping`), and
    /// the whole chain still fits one primitive (`DNNLActivations.fitsOnePrimitive`).
    static func members(
        _ nodes: [Node], opsets: [Int], operations: [any DNNLOperation], escaping: Set<String>
    ) -> [DNNLRegionKernel.Member] {
        var readers: [String: Int] = [:]
        for node in nodes { for name in node.inputs { readers[name, default: 0] += 1 } }
        var members: [DNNLRegionKernel.Member] = []
        var index = 0
        while index < nodes.count {
            // Either post-ops of a convolution/binary primitive, or one longer elementwise chain.
            var fusing = operations[index] as? any DNNLPostOpFusing
            var elementwise = operations[index] as? DNNLEltwiseOperation
            guard fusing != nil || elementwise?.chain != nil else {
                members.append(.init(node: nodes[index], opset: opsets[index], operation: operations[index]))
                index += 1
                continue
            }
            var fused = nodes[index]
            var end = index
            while end + 1 < nodes.count, let output = fused.outputs.first, readers[output] == 1,
                  !escaping.contains(output), let next = operations[end + 1] as? DNNLEltwiseOperation,
                  let chain = next.chain, nodes[end + 1].inputs.first == output,
                  DNNLActivations.fitsOnePrimitive((fusing?.activation ?? elementwise?.chain ?? []) + chain) {
                fusing?.activation += chain
                elementwise?.chain? += chain
                end += 1
                fused.outputs = nodes[end].outputs
            }
            guard end > index else {
                members.append(.init(node: nodes[index], opset: opsets[index], operation: operations[index]))
                index += 1
                continue
            }
            let operation: any DNNLOperation
            if let fusing { operation = fusing } else if let elementwise { operation = elementwise } else { operation = operations[index] }
            members.append(.init(node: fused, opset: opsets[index], operation: operation,
                                 originals: (index...end).map { (node: nodes[$0], opset: opsets[$0]) }))
            index = end + 1
        }
        return members
    }
}
