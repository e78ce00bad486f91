import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// An attribute value ONNX does not define (an unknown Resize `mode`, a made-up `auto_pad`)
/// is reported when the model is loaded — before any session or run — as
/// `EngineError.invalidGraph` naming the node, the attribute, the value and the allowed values.
@Suite struct AttributeValueTests {
    private func expectRejectedAtLoad(_ model: Model, mentions texts: [String],
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let session = try BadInput.clsSession()
        let error = BadInput.error { _ = try LoadedModel(model: model) }
        guard case .invalidGraph(let message)? = error as? EngineError else {
            Issue.record("expected EngineError.invalidGraph at load, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        for text in texts {
            #expect(message.contains(text), "'\(message)' mentions \(text)", sourceLocation: sourceLocation)
        }
        // Neither the reference-only nor the oneDNN path gets to compile it either.
        for options in [SessionOptions(), SessionOptions(referenceOnly: true)] {
            #expect(BadInput.error { _ = try Session(model: model, options: options) } is EngineError,
                    sourceLocation: sourceLocation)
        }
        try BadInput.expectValidRun(session, sourceLocation: sourceLocation)
    }

    @Test func unknownResizeMode() throws {
        let scales = Tensor(shape: [4], scalars: [Float(1), 1, 2, 2])
        let model = BadInput.singleNodeModel(
            "Resize", inputs: [("x", [1, 1, 2, 2])], attributes: ["mode": .string("cubicle")],
            initializers: [:], opset: 19)
        var graph = model.graph
        graph.nodes[0].inputs = ["x", "", "scales"]
        graph.initializers["scales"] = scales
        try expectRejectedAtLoad(Model(opsetImports: ["": 19], graph: graph),
                                 mentions: ["resize_node", "Resize", "'mode'", "'cubicle'", "cubic, linear, nearest"])
    }

    @Test func unknownAutoPadOnConv() throws {
        var generator = SeededGenerator(seed: 5)
        let weights = Tensor(shape: [2, 1, 3, 3], scalars: (0..<18).map { _ in Float.random(in: 0.1...1, using: &generator) })
        let model = BadInput.singleNodeModel(
            "Conv", inputs: [("x", [1, 1, 5, 5])], attributes: ["auto_pad": .string("SAME_MIDDLE")],
            initializers: ["w": weights])
        try expectRejectedAtLoad(model, mentions: ["conv_node", "Conv", "'auto_pad'", "'SAME_MIDDLE'",
                                                   "NOTSET, SAME_LOWER, SAME_UPPER, VALID"])
    }

    @Test func autoPadOfTheWrongTypeOnMaxPool() throws {
        let model = BadInput.singleNodeModel(
            "MaxPool", inputs: [("x", [1, 1, 4, 4])],
            attributes: ["auto_pad": .int(1), "kernel_shape": .ints([2, 2])])
        try expectRejectedAtLoad(model, mentions: ["maxpool_node", "'auto_pad'", "must be a string", "INT"])
    }
}
