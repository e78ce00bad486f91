import Testing
import SwitchyardTensor
@testable import SwitchyardEngine

/// The check that sends a run with NaN or ±Inf inputs to the reference kernels.
@Suite struct NonFiniteInputsTests {
    @Test(arguments: [Float.nan, Float.infinity, -Float.infinity])
    func findsOneNonFiniteValueAnywhere(_ value: Float) {
        var generator = SplitMix64(seed: 5)
        var values = (0..<4_099).map { _ in Float(generator.next() % 2_001) / 10 - 100 }
        #expect(!NonFiniteInputs.present(in: [Tensor(shape: [values.count], scalars: values)]))
        for index in [0, 2_048, 4_098] {
            var poisoned = values
            poisoned[index] = value
            #expect(NonFiniteInputs.present(in: [nil, Tensor(shape: [values.count], scalars: poisoned)]))
        }
        values[7] = .greatestFiniteMagnitude
        #expect(!NonFiniteInputs.present(in: [Tensor(shape: [values.count], scalars: values)]), "large but finite")
    }

    @Test func ignoresIntegerTensors() {
        #expect(!NonFiniteInputs.present(in: [Tensor(shape: [3], scalars: [Int64(1), 2, 3])]))
    }
}
