import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

/// If, Loop and Scan run through `Session` on hand-built graphs with subgraphs.
@Suite struct ControlFlowTests {
    typealias F = ControlFlowFixtures

    // MARK: Loop

    @Test func counterLoopRunsTripCountTimes() throws {
        var random = F.SeededRandom(seed: 11)
        let start = random.float(), step = random.float()
        // body(i, cond, count) -> (cond, count + step): `step` is read from the main graph.
        let body = Graph(
            name: "body",
            nodes: [Node(opType: "Add", inputs: ["count_in", "step"], outputs: ["count_out"])],
            inputs: [F.scalar("i", .int64), F.scalar("cond_in", .bool), ValueInfo(name: "count_in", dataType: .float32, shape: [.fixed(1)])],
            outputs: [F.scalar("cond_in", .bool), ValueInfo(name: "count_out", dataType: .float32, shape: [.fixed(1)])]
        )
        let graph = Graph(
            nodes: [Node(opType: "Loop", inputs: ["M", "", "start"], outputs: ["count"], attributes: ["body": .graph(body)])],
            inputs: [F.scalar("M", .int64), ValueInfo(name: "start", dataType: .float32, shape: [.fixed(1)]),
                     ValueInfo(name: "step", dataType: .float32, shape: [.fixed(1)])],
            outputs: [ValueInfo(name: "count")]
        )
        let outputs = try F.run(graph, ["M": Tensor(scalar: Int64(5)), "start": Tensor(shape: [1], scalars: [start]),
                                      "step": Tensor(shape: [1], scalars: [step])])
        var expected = start
        for _ in 0..<5 { expected += step }
        #expect(outputs["count"]?.shape == [1])
        #expect(outputs["count"]?.scalars(as: Float.self) == [expected])
    }

    /// The scan output stacks each iteration's value along a new axis 0; the condition stops
    /// the loop before the trip count does.
    @Test func loopWithScanOutputsStopsOnCondition() throws {
        var random = F.SeededRandom(seed: 12)
        let start = (0..<2).map { _ in random.float() }
        let step = (0..<2).map { _ in random.float() }
        let outputs = try F.run(accumulatingLoop, [
            "M": Tensor(scalar: Int64(10)), "cond": Tensor(scalar: true),
            "start": Tensor(shape: [2], scalars: start), "step": Tensor(shape: [2], scalars: step),
            "limit": Tensor(scalar: Int64(2)),
        ])
        // Iterations 0, 1, 2 run; after iteration 2, `i < limit` is false.
        var rows: [[Float]] = []
        var value = start
        for _ in 0..<3 {
            value = zip(value, step).map(+)
            rows.append(value)
        }
        #expect(outputs["final"]?.scalars(as: Float.self) == value)
        #expect(outputs["history"]?.shape == [3, 2])
        #expect(outputs["history"]?.scalars(as: Float.self) == rows.flatMap { $0 })
    }

    @Test func loopWithZeroTripsReturnsInitialValuesAndEmptyScanOutputs() throws {
        let start = Tensor(shape: [2], scalars: [Float(1.5), -2.25])
        let outputs = try F.run(accumulatingLoop, [
            "M": Tensor(scalar: Int64(0)), "cond": Tensor(scalar: true), "start": start,
            "step": Tensor(shape: [2], scalars: [Float(0.5), 0.75]), "limit": Tensor(scalar: Int64(9)),
        ])
        #expect(outputs["final"]?.scalars(as: Float.self) == [1.5, -2.25])
        #expect(outputs["history"]?.shape == [0, 2])
        #expect(outputs["history"]?.dataType == .float32)

        let falseAtStart = try F.run(accumulatingLoop, [
            "M": Tensor(scalar: Int64(4)), "cond": Tensor(scalar: false), "start": start,
            "step": Tensor(shape: [2], scalars: [Float(0.5), 0.75]), "limit": Tensor(scalar: Int64(9)),
        ])
        #expect(falseAtStart["history"]?.shape == [0, 2])
    }

    /// An inner loop reads the outer body's iteration number and a main-graph input.
    @Test func nestedLoopReadsEveryEnclosingScope() throws {
        var random = F.SeededRandom(seed: 13)
        let start = Int64(random.int(in: 1...50)), step = Int64(random.int(in: 1...9))
        let inner = Graph(
            name: "inner",
            nodes: [Node(opType: "Add", inputs: ["acc_in", "i_outer"], outputs: ["partial"]),
                    Node(opType: "Add", inputs: ["partial", "step"], outputs: ["acc_out"])],
            inputs: [F.scalar("j", .int64), F.scalar("inner_cond", .bool), F.scalar("acc_in", .int64)],
            outputs: [F.scalar("inner_cond", .bool), F.scalar("acc_out", .int64)]
        )
        let outer = Graph(
            name: "outer",
            nodes: [Node(opType: "Loop", inputs: ["four", "", "total_in"], outputs: ["total_out"],
                         attributes: ["body": .graph(inner)])],
            inputs: [F.scalar("i_outer", .int64), F.scalar("outer_cond", .bool), F.scalar("total_in", .int64)],
            outputs: [F.scalar("outer_cond", .bool), F.scalar("total_out", .int64)],
            initializers: ["four": Tensor(scalar: Int64(4))]
        )
        let graph = Graph(
            nodes: [Node(opType: "Loop", inputs: ["three", "", "start"], outputs: ["total"], attributes: ["body": .graph(outer)])],
            inputs: [F.scalar("start", .int64), F.scalar("step", .int64)],
            outputs: [ValueInfo(name: "total")],
            initializers: ["three": Tensor(scalar: Int64(3))]
        )
        let outputs = try F.run(graph, ["start": Tensor(scalar: start), "step": Tensor(scalar: step)])
        // Each of 3 outer iterations i adds 4 * (i + step).
        #expect(outputs["total"]?.scalars(as: Int64.self) == [start + 4 * (0 + 1 + 2) + 12 * step])
    }

    @Test func loopBodyWithWrongInputCountIsAnError() throws {
        var graph = accumulatingLoop
        graph.nodes[0].inputs.removeLast()
        #expect(throws: EngineError.self) {
            try F.run(graph, ["M": Tensor(scalar: Int64(1)), "cond": Tensor(scalar: true),
                            "start": Tensor(shape: [2], scalars: [Float(1), 2]),
                            "step": Tensor(shape: [2], scalars: [Float(1), 2]), "limit": Tensor(scalar: Int64(1))])
        }
    }

    // MARK: If

    @Test func ifRunsTheBranchTheConditionPicks() throws {
        var random = F.SeededRandom(seed: 14)
        let x = (0..<3).map { _ in random.float() }, y = (0..<3).map { _ in random.float() }
        let inputs: [String: Tensor] = ["x": Tensor(shape: [3], scalars: x), "y": Tensor(shape: [3], scalars: y)]
        let taken = try F.run(ifGraph(), inputs.merging(["cond": Tensor(scalar: true)]) { $1 })
        #expect(taken["out"]?.scalars(as: Float.self) == zip(x, y).map(+))
        // The else branch returns the outer value `y` itself.
        let other = try F.run(ifGraph(), inputs.merging(["cond": Tensor(scalar: false)]) { $1 })
        #expect(other["out"]?.scalars(as: Float.self) == y)
    }

    @Test func ifBranchWithWrongOutputCountIsAnError() throws {
        var elseBranch = Graph(name: "else", outputs: [ValueInfo(name: "y"), ValueInfo(name: "x")])
        elseBranch.docString = "two outputs for a one-output node"
        let inputs: [String: Tensor] = ["cond": Tensor(scalar: false), "x": Tensor(shape: [3], scalars: [Float(1), 2, 3]),
                                        "y": Tensor(shape: [3], scalars: [Float(4), 5, 6])]
        let error = #expect(throws: EngineError.self) { try F.run(ifGraph(elseBranch: elseBranch), inputs) }
        #expect(error?.description.contains("'else_branch' has 2 outputs but the node has 1") == true)
    }

    @Test func ifConditionMustBeOneElement() throws {
        let inputs: [String: Tensor] = ["cond": Tensor(shape: [2], scalars: [true, false]),
                                        "x": Tensor(shape: [3], scalars: [Float(1), 2, 3]),
                                        "y": Tensor(shape: [3], scalars: [Float(4), 5, 6])]
        #expect(throws: EngineError.self) { try F.run(ifGraph(conditionShape: [.fixed(2)]), inputs) }
    }

    // MARK: Helpers

    /// Loop(M, cond, start) whose body adds the outer `step` to the carried value, yields the
    /// sum as a scan output too, and continues while `i < limit`.
    var accumulatingLoop: Graph {
        let vector = ValueInfo(name: "", dataType: .float32, shape: [.fixed(2)])
        let body = Graph(
            name: "body",
            nodes: [Node(opType: "Add", inputs: ["value_in", "step"], outputs: ["value_out"]),
                    Node(opType: "Identity", inputs: ["value_out"], outputs: ["scanned"]),
                    Node(opType: "Less", inputs: ["i", "limit"], outputs: ["cond_out"])],
            inputs: [F.scalar("i", .int64), F.scalar("cond_in", .bool), F.named(vector, "value_in")],
            outputs: [F.scalar("cond_out", .bool), F.named(vector, "value_out"), F.named(vector, "scanned")]
        )
        return Graph(
            nodes: [Node(opType: "Loop", inputs: ["M", "cond", "start"], outputs: ["final", "history"],
                         attributes: ["body": .graph(body)])],
            inputs: [F.scalar("M", .int64), F.scalar("cond", .bool), F.named(vector, "start"), F.named(vector, "step"),
                     F.scalar("limit", .int64)],
            outputs: [ValueInfo(name: "final"), ValueInfo(name: "history")]
        )
    }

    /// If(cond): then x + y, else `elseBranch` (default: the outer `y`).
    func ifGraph(elseBranch: Graph? = nil, conditionShape: [Dimension] = []) -> Graph {
        let thenBranch = Graph(name: "then", nodes: [Node(opType: "Add", inputs: ["x", "y"], outputs: ["sum"])],
                               outputs: [ValueInfo(name: "sum")])
        let elseBranch = elseBranch ?? Graph(name: "else", outputs: [ValueInfo(name: "y")])
        let vector = ValueInfo(name: "", dataType: .float32, shape: [.fixed(3)])
        return Graph(
            nodes: [Node(opType: "If", inputs: ["cond"], outputs: ["out"],
                         attributes: ["then_branch": .graph(thenBranch), "else_branch": .graph(elseBranch)])],
            inputs: [ValueInfo(name: "cond", dataType: .bool, shape: conditionShape), F.named(vector, "x"), F.named(vector, "y")],
            outputs: [ValueInfo(name: "out")]
        )
    }
}
