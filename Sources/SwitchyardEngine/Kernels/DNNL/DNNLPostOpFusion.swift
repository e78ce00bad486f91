import CDNNL
import SwitchyardGraph
import SwitchyardTensor

/// Turns a region's nodes into its members, folding the elementwise operators that follow a
/// convolution, binary or elementwise operator into it as oneDNN eltwise post-ops (an
/// activation, a scale and shift by scalar constants, a FakeQuantize chain), and a binary
/// operator's second binary step with a tensor computed before it into it as a binary post-op
/// (`DNNLBinaryOperation.residual`), so their intermediates never reach memory.
enum DNNLPostOpFusion {
    /// The members computing `nodes` (with `opsets` and `operations` aligned). An elementwise
    /// operator is folded into the member before it when it reads only that member's output,
    /// nothing else reads that output, the output does not leave the region (`escaping`), and
    /// the whole chain still fits one primitive (`DNNLActivations.fitsOnePrimitive`).
    /// `constants` are the region's known tensors (a `Mul` by one of them is a `linear` step).
    static func members(
        _ nodes: [Node], opsets: [Int], operations: [any DNNLOperation], escaping: Set<String>,
        constants: [String: Tensor] = [:]
    ) -> [DNNLRegionKernel.Member] {
        var readers: [String: Int] = [:]
        for node in nodes { for name in node.inputs { readers[name, default: 0] += 1 } }
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { for name in node.outputs where !name.isEmpty { producer[name] = index } }
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
            if var binary = fusing as? DNNLBinaryOperation, binary.residual == nil, binary.activation.isEmpty,
               index + 1 < nodes.count, let output = fused.outputs.first, readers[output] == 1, !escaping.contains(output),
               let step = residualStep(nodes[index + 1], operation: operations[index + 1], reading: output,
                                       availableBefore: index, producer: producer, constants: constants) {
                binary.residual = (step.opType, step.alg)
                fusing = binary
                fused.inputs.append(step.operand)
                fused.outputs = nodes[index + 1].outputs
                end = index + 1
            }
            var chain = fusing?.activation ?? elementwise?.chain ?? []
            while end + 1 < nodes.count, let output = fused.outputs.first, readers[output] == 1, !escaping.contains(output),
                  let next = Self.chain(of: nodes[end + 1], operation: operations[end + 1], reading: output, constants: constants) {
                let combined = DNNLActivations.appending(next, to: chain)
                guard DNNLActivations.fitsOnePrimitive(combined) else { break }
                chain = combined
                end += 1
                fused.outputs = nodes[end].outputs
            }
            guard end > index else {
                members.append(.init(node: nodes[index], opset: opsets[index], operation: operations[index]))
                index += 1
                continue
            }
            fusing?.activation = chain
            elementwise?.chain = chain
            let operation: any DNNLOperation
            if let fusing { operation = fusing } else if let elementwise { operation = elementwise } else { operation = operations[index] }
            members.append(.init(node: fused, opset: opsets[index], operation: operation,
                                 originals: (index...end).map { (node: nodes[$0], opset: opsets[$0]) }))
            index = end + 1
        }
        return members
    }

    /// The binary step `node` computes on `value` and a runtime tensor made before node
    /// `availableBefore` (or a region input): an Add or Mul with `value` on either side, a Sub
    /// with `value` first. Scalar constants are left to `chain` (an eltwise `linear` step).
    static func residualStep(_ node: Node, operation: any DNNLOperation, reading value: String, availableBefore: Int,
                             producer: [String: Int], constants: [String: Tensor])
        -> (opType: String, alg: dnnl_alg_kind_t, operand: String)? {
        guard let binary = operation as? DNNLBinaryOperation, binary.residual == nil, binary.activation.isEmpty,
              node.domain.isEmpty, node.inputs.count == 2, node.outputs.count == 1,
              let position = node.inputs.firstIndex(of: value), node.inputs[1 - position] != value else { return nil }
        let operand = node.inputs[1 - position]
        guard !operand.isEmpty, constants[operand] == nil, producer[operand].map({ $0 < availableBefore }) ?? true,
              binary.commutative || position == 0 else { return nil }
        return (node.opType, binary.alg, operand)
    }

    /// The eltwise steps computing `node` from `value` alone: an elementwise operator whose
    /// first input is `value`, or a Mul, Add or Sub of `value` by a scalar float constant
    /// (a learnable affine block's scale and shift, PP-OCRv4's after each convolution).
    static func chain(of node: Node, operation: any DNNLOperation, reading value: String,
                      constants: [String: Tensor]) -> [DNNLEltwiseFunction]? {
        if let eltwise = operation as? DNNLEltwiseOperation, let chain = eltwise.chain, node.inputs.first == value {
            return chain
        }
        guard node.domain.isEmpty, node.inputs.count == 2, node.outputs.count == 1,
              let position = node.inputs.firstIndex(of: value), node.inputs[1 - position] != value,
              let constant = constants[node.inputs[1 - position]], constant.dataType == .float32,
              constant.count == 1, constant.rank <= 1 else { return nil }
        let c = constant.scalars(as: Float.self)[0]
        let valueFirst = position == 0
        switch node.opType {
        case "Mul": return [.init(alg: dnnl_eltwise_linear, alpha: c, beta: 0)]
        case "Add": return [.init(alg: dnnl_eltwise_linear, alpha: 1, beta: c)]
        case "Sub": return [.init(alg: dnnl_eltwise_linear, alpha: valueFirst ? 1 : -1, beta: valueFirst ? -c : c)]
        default: return nil
        }
    }
}
