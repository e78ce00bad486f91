import SwitchyardGraph
import SwitchyardTensor

extension ReferenceKernels {
    /// The control-flow operators: their bodies run through `OpContext.runSubgraph`.
    static let controlFlow: [String: ReferenceKernel] = [
        "If": IfKernel.run,
        "Loop": LoopKernel.run,
        "Scan": { context in
            // Opset 8 scans a batch axis 0 and a sequence axis 1; opset 9 replaced that with
            // per-input axes and directions and no batching.
            context.opset < 9 ? try BatchedScanKernel.run(context) : try ScanKernel.run(context)
        },
    ]
}

/// Checks shared by the control-flow kernels.
enum ControlFlowSupport {
    /// The graph held by attribute `name`, which must be present.
    static func body(_ context: OpContext, _ name: String) throws(KernelError) -> Graph {
        guard let graph = try context.graph(name) else {
            throw .invalidArgument("\(context.node.opType) needs a graph attribute '\(name)'")
        }
        return graph
    }

    /// The single element of `tensor` as a truth value (`what` names it in messages).
    static func condition(_ tensor: Tensor, _ what: String) throws(KernelError) -> Bool {
        guard tensor.count == 1 else {
            throw .invalidArgument("\(what) must hold a single element, got shape \(tensor.shape)")
        }
        guard tensor.dataType == .bool || tensor.dataType.isInteger else {
            throw .invalidArgument("\(what) must be bool, got \(tensor.dataType)")
        }
        return tensor.int64s()[0] != 0
    }

    /// Runs subgraph `attribute` and checks it returned `expected` outputs.
    static func run(
        _ context: OpContext, _ attribute: String, inputs: [Tensor?], expected: Int
    ) throws -> [Tensor] {
        let outputs = try context.runSubgraph(attribute, inputs: inputs)
        guard outputs.count == expected else {
            throw KernelError.invalidArgument("\(context.node.opType): subgraph '\(attribute)' returned \(outputs.count) outputs, expected \(expected)")
        }
        return outputs
    }

    /// The inputs from `index` on, which must all be present (control-flow operators take
    /// tensors, not optional values, here).
    static func presentInputs(_ context: OpContext, from index: Int) throws(KernelError) -> [Tensor] {
        var tensors: [Tensor] = []
        for position in index..<max(index, context.inputs.count) {
            guard let tensor = context.inputs[position] else {
                throw .unsupported("\(context.node.opType): input \(position) is omitted; optional (absent) values are not supported as loop state or scan inputs")
            }
            tensors.append(tensor)
        }
        return tensors
    }
}
