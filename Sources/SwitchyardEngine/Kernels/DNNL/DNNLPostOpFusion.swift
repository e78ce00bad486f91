import CDNNL
import SwitchyardGraph
import SwitchyardTensor

/// Turns a region's nodes into its members, folding the elementwise operators that follow a
/// convolution, binary or elementwise operator into it as oneDNN eltwise post-ops (an
/// activation, a scale and shift by scalar constants, a FakeQuantize chain), and the binary
/// steps that follow a binary operator with tensors computed before it into it as binary
/// post-ops (`DNNLBinaryOperation.residual`, scheduled by `residualChainOrder`), so their
/// intermediates never reach memory.
enum DNNLPostOpFusion {
    /// The members computing `nodes` (with `opsets` and `operations` aligned). An elementwise
    /// operator is folded into the member before it when it reads only that member's output,
    /// nothing else reads that output, the output does not leave the region (`escaping`), and
    /// the whole chain still fits one primitive (`DNNLActivations.fitsOnePrimitive`).
    /// `constants` are the region's known tensors (a `Mul` by one of them is a `linear` step).
    static func members(
        _ regionNodes: [Node], opsets regionOpsets: [Int], operations regionOperations: [any DNNLOperation],
        escaping: Set<String>, constants: [String: Tensor] = [:]
    ) -> [DNNLRegionKernel.Member] {
        let order = residualChainOrder(regionNodes, operations: regionOperations, escaping: escaping, constants: constants)
        let nodes = order.map { regionNodes[$0] }, opsets = order.map { regionOpsets[$0] }
        let operations = order.map { regionOperations[$0] }
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
            if var binary = fusing as? DNNLBinaryOperation, binary.residual.isEmpty, binary.activation.isEmpty {
                while end + 1 < nodes.count, binary.residual.count < maxResidualSteps, let output = fused.outputs.first,
                      readers[output] == 1, !escaping.contains(output),
                      let step = residualStep(nodes[end + 1], operation: operations[end + 1], reading: output,
                                              availableBefore: index, producer: producer, constants: constants) {
                    binary.residual.append((step.opType, step.alg))
                    fused.inputs.append(step.operand)
                    end += 1
                    fused.outputs = nodes[end].outputs
                }
                fusing = binary
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

    /// Binary post-ops one binary primitive takes at most (oneDNN allows more; chains here are short).
    static let maxResidualSteps = 4

    /// Indices of `nodes` in an order where each binary node whose only reader is a binary step
    /// it can take as a residual post-op (`residualStep`) sits just before that reader: PP-OCR
    /// det's FPN adds an upsampled map to a squeeze-excitation result `c + c·s`, and the exporter
    /// computes the upsampling between the two. Moving a node later is safe, as its one reader
    /// comes after; the fused member then runs once the operand is ready.
    static func residualChainOrder(_ nodes: [Node], operations: [any DNNLOperation], escaping: Set<String>,
                                   constants: [String: Tensor]) -> [Int] {
        var readers: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() { for name in Set(node.inputs) where !name.isEmpty { readers[name, default: []].append(index) } }
        var order = Array(nodes.indices)
        for index in nodes.indices.reversed() {
            guard operations[index] is DNNLBinaryOperation, let output = nodes[index].outputs.first,
                  nodes[index].outputs.count == 1, !escaping.contains(output), let reading = readers[output],
                  reading.count == 1, nodes[reading[0]].inputs.filter({ $0 == output }).count == 1,
                  residualStep(nodes[reading[0]], operation: operations[reading[0]], reading: output,
                               availableBefore: Int.max, producer: [:], constants: constants) != nil,
                  let from = order.firstIndex(of: index), let to = order.firstIndex(of: reading[0]), to > from + 1 else { continue }
            order.remove(at: from)
            order.insert(index, at: to - 1)
        }
        return order
    }

    /// The binary step `node` computes on `value` and a runtime tensor made before node
    /// `availableBefore` (or a region input): an Add or Mul with `value` on either side, a Sub
    /// with `value` first. Scalar constants are left to `chain` (an eltwise `linear` step).
    static func residualStep(_ node: Node, operation: any DNNLOperation, reading value: String, availableBefore: Int,
                             producer: [String: Int], constants: [String: Tensor])
        -> (opType: String, alg: dnnl_alg_kind_t, operand: String)? {
        guard let binary = operation as? DNNLBinaryOperation, binary.residual.isEmpty, binary.activation.isEmpty,
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
