import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL region node order")
struct DNNLRegionOrderTests {
    /// Two convolutions with shape arithmetic on the first one's output exported between them,
    /// as YOLOv8's head interleaves its anchor computation with the neck's convolutions.
    static func interleaved(seed: UInt64 = 91) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1"], outputs: ["c1"], attributes: pads),
            Node(name: "shape", opType: "Shape", inputs: ["c1"], outputs: ["s"]),
            Node(name: "relu1", opType: "Relu", inputs: ["c1"], outputs: ["r1"]),
            Node(name: "gather", opType: "Gather", inputs: ["s", "index"], outputs: ["g"]),
            Node(name: "conv2", opType: "Conv", inputs: ["r1", "w2"], outputs: ["c2"], attributes: pads),
            Node(name: "relu2", opType: "Relu", inputs: ["c2"], outputs: ["y"]),
        ]
        return Graph(name: "interleaved", nodes: nodes, inputs: [ValueInfo(name: "x")],
                     outputs: [ValueInfo(name: "y"), ValueInfo(name: "g")],
                     initializers: ["w1": generator.tensor([8, 4, 3, 3], in: -0.3...0.3),
                                    "w2": generator.tensor([8, 8, 3, 3], in: -0.3...0.3),
                                    "index": Tensor(dataType: .int64, shape: [1], int64s: [1])])
    }

    @Test("shape arithmetic between convolutions moves after them, leaving one region")
    func capableNodesStayTogether() throws {
        let graph = Self.interleaved()
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion", "Shape", "Gather"])
        guard case .graph(let body)? = partitioned.nodes.first?.attributes["body"] else {
            Issue.record("no region body")
            return
        }
        #expect(body.nodes.map(\.name) == ["conv1", "relu1", "conv2", "relu2"])
        #expect(Set(body.outputs.map(\.name)) == ["c1", "y"], "the Shape still reads conv1's output")

        var generator = SeededGenerator(seed: 92)
        let x = generator.tensor([1, 4, 10, 10])
        let reference = try DNNLRegionTests.program(graph, dnnl: false).run(inputs: [x])
        let regional = try DNNLRegionTests.program(partitioned, dnnl: true).run(inputs: [x])
        #expect(regional[1].scalars(as: Int64.self) == [8])
        #expect(regional[0].shape == reference[0].shape)
        #expect(DNNLHarness.maxError(regional[0], reference[0]) <= 1e-4)
    }

    @Test("the order is topological and keeps the given order among nodes of one kind")
    func orderIsTopological() {
        let graph = Self.interleaved()
        let friendly = graph.nodes.map { ["Conv", "Relu"].contains($0.opType) }
        let reads = graph.nodes.map { Set($0.inputs) }
        let order = RegionFriendlyOrder.order(graph.nodes, friendly: friendly, reads: reads)
        #expect(order == [0, 2, 4, 5, 1, 3])
        // A node reading its own output (a cycle) keeps the given order.
        var cyclic = graph.nodes
        cyclic[0].inputs = ["y", "w1"]
        let cyclicReads = cyclic.map { Set($0.inputs) }
        #expect(RegionFriendlyOrder.order(cyclic, friendly: friendly, reads: cyclicReads) == Array(0..<6))
    }
}
