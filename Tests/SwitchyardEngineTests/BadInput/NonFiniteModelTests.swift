import Testing
import SwitchyardEngine
import SwitchyardTensor

/// NaN and ±Inf in a real model's input: like ONNX Runtime, a sample with a non-finite pixel
/// gives NaN class probabilities (Inf meets a zero or opposite Inf somewhere in the network),
/// and the other samples of the batch are untouched, on the default (oneDNN) session too, and
/// when the batch is split over threads.
@Suite(.serialized) struct NonFiniteModelTests {
    @Test(arguments: [Float.nan, Float.infinity, -Float.infinity])
    func nonFinitePixelMakesOnlyItsSampleNaN(_ value: Float) throws {
        // Two fixed threads split the batch: each piece checks its own items.
        for options in [SessionOptions(), SessionOptions(threads: 2, adaptsThreads: false), SessionOptions(referenceOnly: true)] {
            let session = try BadInput.clsSession(options: options)
            let clean = BadInput.clsInput(seed: 11)
            var poisoned = BadInput.clsInput(seed: 12)
            poisoned[1 * 48 * 192 + 20 * 192 + 100] = value  // channel 1, row 20, column 100

            let batch = try session.run(["x": Tensor(shape: [2, 3, 48, 192], scalars: poisoned + clean)])
            let probabilities = try #require(batch.values.first).floats()
            try #require(probabilities.count == 4)
            // The oneDNN kernels alone would lose the NaN/Inf (Relu/HardSwish/clip drop NaN);
            // the session sees the non-finite input and runs the reference kernels.
            #expect(probabilities[0].isNaN && probabilities[1].isNaN,
                    "\(value) pixel, referenceOnly \(options.referenceOnly): \(probabilities[0...1])")

            let alone = try session.run(["x": Tensor(shape: [1, 3, 48, 192], scalars: clean)])
            let cleanProbabilities = try #require(alone.values.first).floats()
            for (a, b) in zip(probabilities[2...], cleanProbabilities) {
                #expect(abs(a - b) <= 1e-5, "the clean sample changed next to a \(value) pixel: \(a) vs \(b)")
            }
            try BadInput.expectValidRun(session)
        }
    }
}
