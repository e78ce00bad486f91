import SwitchyardGraph
import SwitchyardTensor

/// The one place that decides which kernel runs each node.
enum KernelSelection {
    /// The kernel for `node`: a oneDNN kernel when one is available and the options allow it,
    /// the reference kernel otherwise; `nil` when the engine cannot run the node at all.
    /// `constants` are the graph's initializers, which oneDNN kernels prepack into
    /// `packedWeights`; the oneDNN kernels made are added to `regions`.
    static func kernel(
        for node: Node, opset: Int, constants: [String: Tensor], options: SessionOptions,
        packedWeights: PackedWeights, regions: inout [DNNLRegionKernel]
    ) -> KernelFunction? {
        if !options.referenceOnly,
           let accelerated = DNNLKernels.makeKernel(for: node, opset: opset, constants: constants, threads: options.threads,
                                                    packedWeights: packedWeights) {
            regions.append(accelerated)
            return accelerated.function
        }
        return ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
    }

    /// The graph a session runs: with oneDNN, runs of layout-friendly nodes become regions whose
    /// intermediates stay in oneDNN's blocked layouts.
    static func executableGraph(_ graph: Graph, opsets: [String: Int], options: SessionOptions) -> Graph {
        options.referenceOnly ? graph : DNNLRegionPartitioner.partition(graph, opsets: opsets)
    }
}
