import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct LayoutTests {
    typealias F = NormRNNFixtures

    @Test func bitCastReinterpretsBits() throws {
        var rng = F.SeededGenerator(seed: 60)
        let floats = F.values(6, using: &rng).map { Float($0) }
        let y = try F.run("BitCast", opset: 26, inputs: [Tensor(shape: [2, 3], scalars: floats)],
                          attributes: ["to": .int(Int(DataType.int32.rawValue))])
        #expect(y[0].shape == [2, 3])
        #expect(y[0].scalars(as: Int32.self) == floats.map { Int32(bitPattern: $0.bitPattern) })
        F.expectInvalid("differ in width") {
            try F.run("BitCast", opset: 26, inputs: [Tensor(shape: [2, 3], scalars: floats)],
                      attributes: ["to": .int(Int(DataType.int64.rawValue))])
        }
    }
}
