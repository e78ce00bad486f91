import SwitchyardGraph
import SwitchyardTensor

extension ReferenceKernels {
    /// The engine's own fused operators (domain `ai.switchyard`), made by the optimizer.
    static let fused: [String: ReferenceKernel] = [
        "FusedConv": FusedReferenceKernels.fusedConv,
        "FusedMatMul": FusedReferenceKernels.fusedMatMul,
        "QuantizedLookup": { try QuantizedLookupKernel.run($0) },
        FakeQuantizeFusion.opType: { try FakeQuantizeKernel.run($0) },
        // DequantizeLinear, then GlobalAveragePool: the nodes it replaced.
        DequantizedMeanFusion.opType: { context in
            let dequantize = Node(opType: "DequantizeLinear", inputs: context.node.inputs, outputs: ["dequantized"])
            let values = try DequantizeLinearKernel.run(OpContext(node: dequantize, opset: 13, inputs: context.inputs))
            let pool = Node(opType: "GlobalAveragePool", inputs: ["dequantized"], outputs: context.node.outputs)
            return try GlobalPoolKernel.average(OpContext(node: pool, opset: 13, inputs: values))
        },
        // The region's own nodes are its reference.
        QuantizedElementwiseFusion.opType: { context in try context.runSubgraph("body", inputs: context.inputs) },
        // A oneDNN region whose kernel could not be built runs its nodes one by one.
        DNNLRegionPartitioner.opType: { context in try context.runSubgraph("body", inputs: context.inputs) },
    ]
}

/// Reference implementations of `FusedConv` and `FusedMatMul`: the ONNX reference kernel for
/// the base operator, then the bias / residual sum and the activation, in place.
enum FusedReferenceKernels {
    /// y = act(Conv(X, W, B) + Sum)
    static func fusedConv(_ context: OpContext) throws -> [Tensor] {
        let conv = try baseKernel("Conv", for: context.node)
        let activation = try FusedActivation(node: context.node)
        let convNode = baseNode(context.node, opType: "Conv", inputCount: 3)
        var output = try conv(OpContext(node: convNode, opset: context.opset,
                                        inputs: Array(context.inputs.prefix(3))))[0]
        if let sum = context.optionalInput(3) {
            try addInPlace(&output, sum, op: "FusedConv")
        }
        try applyInPlace(activation, to: &output, op: "FusedConv")
        return [output]
    }

    /// y = act(MatMul(A, B) + Bias), Bias broadcast along the last axis.
    static func fusedMatMul(_ context: OpContext) throws -> [Tensor] {
        let matMul = try baseKernel("MatMul", for: context.node)
        let activation = try FusedActivation(node: context.node)
        let matMulNode = baseNode(context.node, opType: "MatMul", inputCount: 2)
        var output = try matMul(OpContext(node: matMulNode, opset: context.opset,
                                          inputs: Array(context.inputs.prefix(2))))[0]
        if let bias = context.optionalInput(2) {
            let columns = output.shape.last ?? 1
            guard bias.count == columns || bias.count == 1 else {
                throw KernelError.invalidArgument("FusedMatMul: bias of shape \(bias.shape) does not match the last axis (\(columns)) of the product \(output.shape)")
            }
            try addInPlace(&output, bias, op: "FusedMatMul")
        }
        try applyInPlace(activation, to: &output, op: "FusedMatMul")
        return [output]
    }

    private static func baseKernel(_ opType: String, for node: Node) throws(KernelError) -> ReferenceKernel {
        guard let kernel = ReferenceKernels.kernel(opType: opType, domain: "") else {
            throw .unsupported("\(node.opType) needs the \(opType) reference kernel, which is not registered")
        }
        return kernel
    }

    /// `node` as the plain ONNX operator: its first `inputCount` inputs, without the fused attributes.
    private static func baseNode(_ node: Node, opType: String, inputCount: Int) -> Node {
        var base = node
        base.opType = opType
        base.domain = ""
        base.inputs = Array(node.inputs.prefix(inputCount))
        base.attributes[FusedActivation.nameAttribute] = nil
        base.attributes[FusedActivation.parametersAttribute] = nil
        return base
    }

    /// output += addend, where `addend` broadcasts onto `output` without changing its shape.
    private static func addInPlace(_ output: inout Tensor, _ addend: Tensor, op: String) throws(KernelError) {
        guard output.dataType == .float32, addend.dataType == .float32 else {
            throw .unsupported("\(op): only float tensors are supported, got \(output.dataType) and \(addend.dataType)")
        }
        let shape = output.shape
        let broadcast = try ShapeMath.broadcast([shape, addend.shape])
        guard broadcast == shape else {
            throw .invalidArgument("\(op): addend of shape \(addend.shape) does not broadcast onto the result \(shape)")
        }
        let count = output.count
        addend.withUnsafeBufferPointer(of: Float.self) { source in
            output.withUnsafeMutableBufferPointer(of: Float.self) { target in
                if source.count == count {
                    for index in 0..<count { target[index] += source[index] }
                } else if source.count == 1 {
                    let value = source[0]
                    for index in 0..<count { target[index] += value }
                } else if let columns = shape.last, source.count == columns,
                          addend.shape.dropLast().allSatisfy({ $0 == 1 }) {
                    for row in stride(from: 0, to: count, by: columns) {
                        for column in 0..<columns { target[row + column] += source[column] }
                    }
                } else {
                    let indices = ShapeMath.broadcastIndices(from: addend.shape, to: shape)
                    for index in 0..<count { target[index] += source[indices[index]] }
                }
            }
        }
    }

    private static func applyInPlace(_ activation: FusedActivation?, to output: inout Tensor, op: String) throws(KernelError) {
        guard let activation else { return }
        guard output.dataType == .float32 else {
            throw .unsupported("\(op): activation \(activation.name) is only supported on float tensors, got \(output.dataType)")
        }
        output.withUnsafeMutableBufferPointer(of: Float.self) { activation.apply(to: $0) }
    }
}
