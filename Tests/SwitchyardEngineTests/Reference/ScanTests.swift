import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

/// Scan (opset 8 batched form and opset 9+ axes/directions) through `Session`.
@Suite struct ScanTests {
    typealias F = ControlFlowFixtures

    @Test func cumulativeSumAlongAxisZero() throws {
        var random = F.SeededRandom(seed: 21)
        let initial = (0..<2).map { _ in random.float() }
        let x = (0..<6).map { _ in random.float() }
        let outputs = try F.run(cumulativeSum(), ["initial": Tensor(shape: [2], scalars: initial),
                                                  "x": Tensor(shape: [3, 2], scalars: x)])
        var running = initial
        var rows: [Float] = []
        for t in 0..<3 {
            running = zip(running, x[(2 * t)..<(2 * t + 2)]).map(+)
            rows += running
        }
        #expect(outputs["sum"]?.scalars(as: Float.self) == running)
        #expect(outputs["steps"]?.shape == [3, 2])
        #expect(outputs["steps"]?.scalars(as: Float.self) == rows)
    }

    /// Scanning axis 1 backwards and stacking on output axis 1, prepended: the cumulative sum
    /// from the right, laid out in the input's own order.
    @Test func reversedScanOnAxisOneWithPrependedOutputAxisOne() throws {
        var random = F.SeededRandom(seed: 22)
        let initial = (0..<2).map { _ in random.float() }
        let x = (0..<6).map { _ in random.float() }  // shape [2, 3]: column t is x[0][t], x[1][t]
        let attributes: [String: Attribute] = [
            "scan_input_axes": .ints([-1]), "scan_input_directions": .ints([1]),
            "scan_output_axes": .ints([1]), "scan_output_directions": .ints([1]),
        ]
        let outputs = try F.run(cumulativeSum(attributes), ["initial": Tensor(shape: [2], scalars: initial),
                                                            "x": Tensor(shape: [2, 3], scalars: x)])
        var running = initial
        var columns = [[Float]](repeating: [], count: 3)
        for t in stride(from: 2, through: 0, by: -1) {
            running = [running[0] + x[t], running[1] + x[3 + t]]
            columns[t] = running
        }
        #expect(outputs["sum"]?.scalars(as: Float.self) == running)
        #expect(outputs["steps"]?.shape == [2, 3])
        #expect(outputs["steps"]?.scalars(as: Float.self) == [0, 1].flatMap { row in columns.map { $0[row] } })
    }

    @Test func scanInputsOfDifferentLengthsAreAnError() throws {
        var graph = cumulativeSum()
        graph.nodes[0].inputs.append("other")
        graph.nodes[0].attributes["num_scan_inputs"] = .int(2)
        guard case .graph(var body)? = graph.nodes[0].attributes["body"] else { Issue.record("no body"); return }
        body.inputs.append(ValueInfo(name: "other_element", dataType: .float32))
        graph.nodes[0].attributes["body"] = .graph(body)
        graph.inputs.append(ValueInfo(name: "other", dataType: .float32))
        let error = #expect(throws: EngineError.self) {
            try F.run(graph, ["initial": Tensor(shape: [2], scalars: [Float(1), 2]),
                              "x": Tensor(shape: [3, 2], scalars: [Float(1), 2, 3, 4, 5, 6]),
                              "other": Tensor(shape: [4], scalars: [Float(1), 2, 3, 4])])
        }
        #expect(error?.description.contains("scan input 0 has 3 steps along axis 0 but scan input 1 has 4") == true)
    }

    /// Opset 8: batch axis 0, sequence axis 1, per-entry sequence lengths, zero padding.
    @Test func batchedScanOfOpsetEightPadsShortSequences() throws {
        var random = F.SeededRandom(seed: 23)
        let initial = (0..<4).map { _ in random.float() }  // [batch 2, 2]
        let x = (0..<12).map { _ in random.float() }  // [batch 2, sequence 3, 2]
        var graph = cumulativeSum()
        graph.nodes[0].inputs.insert("lengths", at: 0)
        graph.nodes[0].attributes["directions"] = .ints([1])
        graph.inputs = [ValueInfo(name: "lengths", dataType: .int64, shape: [.fixed(2)]),
                        ValueInfo(name: "initial", dataType: .float32, shape: [.fixed(2), .fixed(2)]),
                        ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(3), .fixed(2)])]
        let outputs = try F.run(graph, ["lengths": Tensor(shape: [2], scalars: [Int64(3), 1]),
                                        "initial": Tensor(shape: [2, 2], scalars: initial),
                                        "x": Tensor(shape: [2, 3, 2], scalars: x)], opset: 8)
        var sums: [Float] = []
        var steps: [Float] = []
        for (b, length) in [3, 1].enumerated() {
            var running = Array(initial[(2 * b)..<(2 * b + 2)])
            for t in stride(from: length - 1, through: 0, by: -1) {
                let offset = b * 6 + t * 2
                running = [running[0] + x[offset], running[1] + x[offset + 1]]
                steps += running
            }
            steps += [Float](repeating: 0, count: 2 * (3 - length))
            sums += running
        }
        #expect(outputs["sum"]?.shape == [2, 2])
        #expect(outputs["sum"]?.scalars(as: Float.self) == sums)
        #expect(outputs["steps"]?.shape == [2, 3, 2])
        #expect(outputs["steps"]?.scalars(as: Float.self) == steps)
    }

    /// Scan(initial, x) with body (sum_in, next) -> (sum_in + next, the same sum).
    func cumulativeSum(_ attributes: [String: Attribute] = [:]) -> Graph {
        let vector = ValueInfo(name: "", dataType: .float32, shape: [.fixed(2)])
        let body = Graph(
            name: "body",
            nodes: [Node(opType: "Add", inputs: ["sum_in", "next"], outputs: ["sum_out"]),
                    Node(opType: "Identity", inputs: ["sum_out"], outputs: ["scan_out"])],
            inputs: [F.named(vector, "sum_in"), F.named(vector, "next")],
            outputs: [F.named(vector, "sum_out"), F.named(vector, "scan_out")]
        )
        var nodeAttributes = attributes
        nodeAttributes["body"] = .graph(body)
        nodeAttributes["num_scan_inputs"] = .int(1)
        return Graph(
            nodes: [Node(opType: "Scan", inputs: ["initial", "x"], outputs: ["sum", "steps"], attributes: nodeAttributes)],
            inputs: [F.named(vector, "initial"), ValueInfo(name: "x", dataType: .float32)],
            outputs: [ValueInfo(name: "sum"), ValueInfo(name: "steps")]
        )
    }
}
