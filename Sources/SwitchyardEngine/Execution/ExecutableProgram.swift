import SwitchyardGraph
import SwitchyardTensor

/// A session's compiled graph with its kernels chosen (`KernelSelection`), and the oneDNN region
/// kernels among them.
struct ExecutableProgram: Sendable {
    let graph: GraphProgram
    /// Every oneDNN region kernel of the graph and its subgraphs.
    let regions: [DNNLRegionKernel]

    /// Compiles `model`'s graph for `options`; its oneDNN kernels share `model.packedWeights`.
    init(model: LoadedModel, options: SessionOptions) throws(EngineError) {
        let opsets = model.model.opsetImports
        let executable = KernelSelection.executableGraph(model.graph, opsets: opsets, options: options)
        var regions: [DNNLRegionKernel] = []
        graph = try GraphProgram(graph: executable, opsets: opsets, outerNames: []) { node, opset in
            KernelSelection.kernel(for: node, opset: opset, constants: executable.initializers, options: options,
                                   packedWeights: model.packedWeights, regions: &regions)
        }
        self.regions = regions
    }

    func run(inputs: [Tensor?], profile: StepProfile?) throws -> [Tensor] {
        try graph.run(inputs: inputs, profile: profile)
    }
}
