import Testing
import SwitchyardEngine
import SwitchyardTensor

/// Inputs that do not match the model's declared inputs give `EngineError.inputMismatch` naming
/// what was expected and what was given; the session keeps working afterwards.
@Suite struct InputMismatchTests {
    private func expectMismatch(_ inputs: [String: Tensor], mentions texts: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let session = try BadInput.clsSession()
        let error = BadInput.error { _ = try session.run(inputs) }
        guard case .inputMismatch(let message)? = error as? EngineError else {
            Issue.record("expected EngineError.inputMismatch, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        for text in texts {
            #expect(message.contains(text), "'\(message)' mentions \(text)", sourceLocation: sourceLocation)
        }
        try BadInput.expectValidRun(session, sourceLocation: sourceLocation)
    }

    private func floats(_ shape: [Int]) -> Tensor {
        var generator = SeededGenerator(seed: 42)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    @Test func wrongInputName() throws {
        try expectMismatch(["images": floats([1, 3, 48, 192])], mentions: ["'images'", "'x'"])
    }

    @Test func missingInput() throws {
        try expectMismatch([:], mentions: ["missing input 'x'"])
    }

    @Test func wrongRank() throws {
        try expectMismatch(["x": floats([3, 48, 192])], mentions: ["'x'", "rank 4", "[3, 48, 192]"])
    }

    @Test func wrongFixedDimension() throws {
        try expectMismatch(["x": floats([1, 4, 48, 192])], mentions: ["'x'", "dimension 1 must be 3", "[1, 4, 48, 192]"])
    }

    @Test func wrongDataType() throws {
        let integers = Tensor(shape: [1, 3, 48, 192], scalars: [Int64](repeating: 1, count: 3 * 48 * 192))
        try expectMismatch(["x": integers], mentions: ["'x'", "\(DataType.float32)", "\(DataType.int64)"])
    }
}
