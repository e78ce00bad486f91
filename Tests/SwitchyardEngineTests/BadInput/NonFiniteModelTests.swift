import Testing
import SwitchyardEngine
import SwitchyardTensor

/// NaN and ±Inf in a real model's input: like ONNX Runtime, a sample with a non-finite pixel
/// gives NaN class probabilities (Inf meets a zero or opposite Inf somewhere in the network),
/// and the other samples of the batch are untouched.
@Suite(.serialized) struct NonFiniteModelTests {
    @Test(arguments: [Float.nan, Float.infinity, -Float.infinity])
    func nonFinitePixelMakesOnlyItsSampleNaN(_ value: Float) throws {
        for options in [SessionOptions(), SessionOptions(referenceOnly: true)] {
            let session = try BadInput.clsSession(options: options)
            let clean = BadInput.clsInput(seed: 11)
            var poisoned = BadInput.clsInput(seed: 12)
            poisoned[1 * 48 * 192 + 20 * 192 + 100] = value  // channel 1, row 20, column 100

            let batch = try session.run(["x": Tensor(shape: [2, 3, 48, 192], scalars: poisoned + clean)])
            let probabilities = try #require(batch.values.first).floats()
            try #require(probabilities.count == 4)
            let poisonedIsNaN = probabilities[0].isNaN && probabilities[1].isNaN
            if options.referenceOnly {
                #expect(poisonedIsNaN, "\(value) pixel, reference kernels: \(probabilities[0...1])")
            } else {
                // The oneDNN path loses the NaN/Inf on the way (its Relu/HardSwish/clip drop NaN)
                // and returns finite probabilities; ONNX Runtime returns NaN.
                withKnownIssue("oneDNN kernels do not propagate NaN/Inf through the cls model", isIntermittent: true) {
                    #expect(poisonedIsNaN, "\(value) pixel, oneDNN: \(probabilities[0...1])")
                }
            }

            let alone = try session.run(["x": Tensor(shape: [1, 3, 48, 192], scalars: clean)])
            let cleanProbabilities = try #require(alone.values.first).floats()
            for (a, b) in zip(probabilities[2...], cleanProbabilities) {
                #expect(abs(a - b) <= 1e-5, "the clean sample changed next to a \(value) pixel: \(a) vs \(b)")
            }
            try BadInput.expectValidRun(session)
        }
    }
}
