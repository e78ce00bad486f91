import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Compute and memory of one run at concrete input shapes.
struct CostProfile: Encodable, Equatable {
    /// The input shapes measured.
    var inputShapes: [String: [Int]]
    /// Floating-point operations of the main graph's nodes (see `NodeFlops`).
    var flops: Int
    /// FLOPs per op type, for the biggest contributors.
    var flopsByOpType: [String: Int]
    /// The most activation bytes alive at once in the model as written (see
    /// `ActivationLiveness`).
    var peakActivationBytes: Int
    /// The arena the engine plans for the optimized model's intermediates at these shapes,
    /// when it can plan them.
    var engineArenaBytes: Int?
}

/// Measures a model's cost by running it once on random inputs with every intermediate value
/// of the main graph exposed as an output, which gives the concrete shape of each.
enum CostProfiler {
    static func profile(_ model: Model, inputShapes: [String: [Int]], threads: Int = 1, seed: UInt64 = 1) throws -> CostProfile {
        let graph = model.graph
        var probe = model
        var exposed = Set(graph.outputs.map(\.name))
        for node in graph.nodes {
            for name in node.outputs where !name.isEmpty && exposed.insert(name).inserted {
                probe.graph.outputs.append(ValueInfo(name: name))
            }
        }
        let inputs = RandomInputs.make(for: graph.inputs, shapes: inputShapes, seed: seed)
        // Unoptimized, so every value of the graph as written is computed and exposed.
        let unoptimized = try LoadedModel(model: probe, options: LoadOptions(optimize: false))
        let session = try Session(model: unoptimized, options: SessionOptions(threads: threads))
        var values = try session.run(inputs)
        values.merge(inputs) { produced, _ in produced }
        var cost = profile(graph, values: values, inputShapes: inputShapes)
        cost.engineArenaBytes = try? LoadedModel(model: model).arenaBytes(for: inputShapes)
        return cost
    }

    /// The cost of `graph` given every value it produced or read, by name.
    static func profile(_ graph: Graph, values: [String: Tensor], inputShapes: [String: [Int]]) -> CostProfile {
        var shapes = values.mapValues(\.shape)
        for (name, tensor) in graph.initializers { shapes[name] = tensor.shape }
        var flops = 0
        var byOpType: [String: Int] = [:]
        for node in graph.nodes {
            let count = NodeFlops.count(node, shapes: shapes) ?? 0
            flops += count
            byOpType[node.opType, default: 0] += count
        }
        let peak = ActivationLiveness.peakBytes(of: graph, bytes: values.mapValues(\.byteCount))
        return CostProfile(inputShapes: inputShapes, flops: flops, flopsByOpType: byOpType, peakActivationBytes: peak)
    }
}
