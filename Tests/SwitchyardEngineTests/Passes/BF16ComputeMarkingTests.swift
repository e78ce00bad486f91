import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Only layers whose weights are stored in BF16 are marked to compute in BF16, and the mark
/// survives constant folding and fusion (on any CPU: marking does not run kernels).
@Suite struct BF16ComputeMarkingTests {
    typealias Kit = PassTestKit

    /// x → Conv(Cast(bf16 weights)) → Relu → Conv(float weights) → MatMul(Cast(bf16 weights)) → y.
    static func graph(_ generator: inout Kit.Generator) -> Graph {
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let toFloat: [String: Attribute] = ["to": .int(Int(DataType.float32.rawValue))]
        return Graph(
            nodes: [
                Kit.node("Cast", ["w1_bf16"], ["w1"], toFloat),
                Kit.node("Conv", ["x", "w1", "b1"], ["c1"], pads),
                Kit.node("Relu", ["c1"], ["r1"]),
                Kit.node("Conv", ["r1", "w2", "b2"], ["c2"], pads),
                Kit.node("Cast", ["wm_bf16"], ["wm"], toFloat),
                Kit.node("MatMul", ["c2", "wm"], ["y"]),
            ],
            inputs: [Kit.input("x", [.symbolic("N"), .fixed(4), .fixed(5), .fixed(5)])],
            outputs: [ValueInfo(name: "y")],
            initializers: [
                "w1_bf16": Kit.tensor([8, 4, 3, 3], &generator).converted(to: .bfloat16), "b1": Kit.tensor([8], &generator),
                "w2": Kit.tensor([8, 8, 3, 3], &generator), "b2": Kit.tensor([8], &generator),
                "wm_bf16": Kit.tensor([5, 6], &generator).converted(to: .bfloat16),
            ])
    }

    @Test func marksTheLayersWhoseWeightsAreStoredInBF16() throws {
        var generator = Kit.Generator(seed: 41)
        let model = Kit.model(Self.graph(&generator))
        let loaded = try LoadedModel(model: model, options: LoadOptions(bf16Compute: true))
        let marked = loaded.graph.nodes.filter(BF16ComputeMarking.isMarked).map(\.opType)
        // conv1 fused with its Relu keeps the mark; conv2 reads float weights.
        #expect(marked == ["FusedConv", "MatMul"], "\(loaded.graph.nodes.map { ($0.opType, $0.attributes.keys.sorted()) })")
        #expect(loaded.graph.nodes.filter { $0.opType == "Conv" || $0.opType == "FusedConv" }.count == 2)
        #expect(!loaded.graph.nodes.contains { $0.opType == "Cast" })
        #expect(loaded.changes.filter { $0.pass == "bf16-compute-marking" }.count == 2)

        let float = try LoadedModel(model: model, options: LoadOptions(bf16Compute: false))
        #expect(!float.graph.nodes.contains(where: BF16ComputeMarking.isMarked))
    }

    /// Whatever the CPU (without BF16 arithmetic the marked layers fall back to float32), the
    /// marked model computes what the float one does within BF16's precision.
    @Test func markedModelMatchesTheFloatComputation() throws {
        var generator = Kit.Generator(seed: 42)
        let model = Kit.model(Self.graph(&generator))
        let x = Kit.tensor([2, 4, 5, 5], &generator)
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(bf16Compute: false))).run(["x": x])["y"]!
        let actual = try Session(model: LoadedModel(model: model, options: LoadOptions(bf16Compute: true))).run(["x": x])["y"]!
        // BF16 keeps 8 significant bits: each product is off by up to 2^-8 of its size.
        let largest = expected.floats().reduce(0) { max($0, abs($1)) }
        let error = largestDifference(actual, expected)
        #expect(error / largest < 1e-2, "error \(error) against outputs up to \(largest)")
    }
}
