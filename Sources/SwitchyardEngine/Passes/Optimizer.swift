import SwitchyardGraph
import SwitchyardTensor

/// Runs graph passes to a fixed point, on the main graph and on every subgraph.
public struct Optimizer: Sendable {
    public var passes: [any GraphPass]
    /// Upper bound on rounds, in case two passes undo each other.
    public var maxRounds: Int
    /// Largest tensor constant folding may create, in bytes.
    public var foldingByteLimit: Int

    public init(passes: [any GraphPass], maxRounds: Int = 16, foldingByteLimit: Int = 64 << 20) {
        self.passes = passes
        self.maxRounds = maxRounds
        self.foldingByteLimit = foldingByteLimit
    }

    /// The engine's passes, in the order they run within each round.
    /// `fusedActivations` are the activation names fusion may fold into `FusedConv`/`FusedMatMul`;
    /// `quantizedExecution` chooses int8 or float for the quantized layers of QDQ models;
    /// `bf16Compute` marks layers whose weights are stored in BF16 to compute in BF16.
    public static func standard(
        foldingByteLimit: Int = 64 << 20, fusedActivations: Set<String> = FusedActivation.fusedByDefault,
        quantizedExecution: QuantizedExecution = .automatic, bf16Compute: Bool = false
    ) -> Optimizer {
        let bf16Marking: [any GraphPass] = bf16Compute ? [BF16ComputeMarking()] : []
        return Optimizer(passes: [
            ConstantNodesToInitializers(),
            IdentityElimination(),
        ] + bf16Marking + [
            // Before constant folding, which would dequantize the int8 weights to float.
            QDQFusion(execution: quantizedExecution),
            QuantizedMovementFusion(execution: quantizedExecution),
            QuantizeHoisting(execution: quantizedExecution),
            QuantizedLookupFusion(execution: quantizedExecution),
            QuantizedElementwiseFusion(execution: quantizedExecution),
            DequantizedMeanFusion(execution: quantizedExecution),
            // After the six above, which take the pairs they compute in int8.
            FakeQuantizeFusion(),
            ConstantFolding(),
            ShapeFolding(),
            LayerNormFusion(),
            ConvTransposeAsConvolution(),
            ConvAffineFolding(),
            ConvFusion(activations: fusedActivations),
            MatMulFusion(activations: fusedActivations),
            QuantizedActivationRecomposition(),
            // After fusion, so a decomposed activation's own `/ 6` stays with its pattern.
            ConvInputAffineFolding(),
            DeadNodeElimination(),
        ], foldingByteLimit: foldingByteLimit)
    }

    /// The optimized model and what changed.
    public func optimize(_ model: Model) -> (model: Model, report: OptimizationReport) {
        var optimized = model
        var report = OptimizationReport()
        report.nodesBefore = model.graph.allNodes().count
        let scope = PassScope(opsets: model.opsetImports, foldingByteLimit: foldingByteLimit, path: "main")
        optimize(&optimized.graph, scope: scope, report: &report)
        report.nodesAfter = optimized.graph.allNodes().count
        return (optimized, report)
    }

    /// Optimizes one scope: its subgraphs, then its own passes, round after round.
    func optimize(_ graph: inout Graph, scope: PassScope, report: inout OptimizationReport) {
        for round in 1...max(maxRounds, 1) {
            var changed = false
            let owners = graph.nodes.indices.filter {
                !graph.nodes[$0].subgraphs.isEmpty && !QuantizedElementwiseFusion.isFused(graph.nodes[$0])
            }
            if !owners.isEmpty {
                let visible = scope.outerFacts.merging(scope.facts(of: graph).mapValues(\.withoutValue)) { $1 }
                for index in owners {
                    let owner = graph.nodes[index].displayName
                    var subgraphNumber = 0
                    graph.nodes[index].transformSubgraphs { subgraph in
                        subgraphNumber += 1
                        var inner = scope
                        inner.outerFacts = visible
                        inner.path = "\(scope.path)/\(owner)#\(subgraphNumber)"
                        let before = report.changes.count
                        optimize(&subgraph, scope: inner, report: &report)
                        if report.changes.count != before { changed = true }
                    }
                }
            }
            for pass in passes {
                let changes = pass.run(on: &graph, scope: scope)
                if !changes.isEmpty { changed = true }
                report.changes += changes.map { PassChange(pass: pass.name, scope: scope.path, detail: $0) }
            }
            if scope.path == "main" { report.rounds = round }
            if !changed { break }
        }
    }
}
