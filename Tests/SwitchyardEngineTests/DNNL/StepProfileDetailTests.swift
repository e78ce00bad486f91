import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// `StepProfile.detail`: a oneDNN region's time broken down by the nodes it computes, which is
/// what `quantize`'s speed gate compares layer by layer.
@Suite struct StepProfileDetailTests {
    @Test func aRegionIsBrokenDownIntoItsNodesInOrder() throws {
        let graph = DNNLRegionTests.residualBlock()
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        #expect(partitioned.nodes.contains { $0.opType == DNNLRegionPartitioner.opType })
        let program = try DNNLRegionTests.program(partitioned, dnnl: true)
        var generator = SeededGenerator(seed: 710)
        let x = generator.tensor([2, 8, 12, 12])
        let profile = StepProfile()
        let runs = 3
        for _ in 0..<runs { _ = try program.run(inputs: [x], profile: profile) }

        let detail = profile.detail
        let names = detail.map(\.node)
        #expect(!names.contains { $0.hasPrefix(DNNLRegionPartitioner.opType) }, "\(names)")
        // Members are named after their first node; conv1 runs before conv2.
        let conv1 = try #require(names.firstIndex(of: "conv1"), "\(names)")
        let conv2 = try #require(names.firstIndex(of: "conv2"), "\(names)")
        #expect(conv1 < conv2)
        let known = Set(graph.nodes.map(\.name)).union([StepProfile.boundary])
        #expect(names.allSatisfy(known.contains), "\(names)")
        #expect(detail.allSatisfy { $0.calls >= runs && $0.seconds > 0 })
        // Each primitive is timed inside its step's window, so the parts never exceed the whole.
        let whole = profile.bySlowest.reduce(0) { $0 + $1.seconds }
        #expect(detail.reduce(0) { $0 + $1.seconds } <= whole)

        // Summed per op type: the same time, the boundary reorders under their own label.
        let byType = profile.detailByOpType
        #expect(Set(byType.map(\.opType)) == Set(detail.map { $0.node == StepProfile.boundary ? StepProfile.boundary : $0.opType }))
        #expect(abs(byType.reduce(0) { $0 + $1.seconds } - detail.reduce(0) { $0 + $1.seconds }) < 1e-9)
        #expect(zip(byType, byType.dropFirst()).allSatisfy { $0.seconds >= $1.seconds }, "slowest first")
    }

    @Test func aStepOutsideRegionsIsOneNodeOfTheDetail() throws {
        let graph = Graph(name: "ref", nodes: [
            Node(name: "cumsum", opType: "CumSum", inputs: ["x", "axis"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")],
        initializers: ["axis": Tensor(dataType: .int64, shape: [], int64s: [0])])
        let program = try DNNLRegionTests.program(graph, dnnl: true)
        var generator = SeededGenerator(seed: 711)
        let profile = StepProfile()
        _ = try program.run(inputs: [generator.tensor([5, 3])], profile: profile)
        #expect(profile.detail.map(\.node) == ["cumsum"])
        #expect(profile.detail.map(\.opType) == ["CumSum"])
    }
}
