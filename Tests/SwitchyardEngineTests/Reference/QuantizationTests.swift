import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct QuantizationTests {
    typealias K = QuantizationTestKit

    static let ranges: [DataType: (Double, Double)] = [
        .uint8: (0, 255), .int8: (-128, 127), .uint16: (0, 65535), .int16: (-32768, 32767),
    ]

    @Test(arguments: [DataType.uint8, .int8, .uint16, .int16])
    func quantizePerTensor(type: DataType) throws {
        var rng = K.Generator(seed: 3)
        let x = K.floats([3, 7], in: -40...40, using: &rng)
        let scale = Tensor(scalar: Float(0.173))
        let zero = K.integers(type, [], in: type == .uint8 || type == .uint16 ? 10...40 : -20...20, using: &rng)
        let y = try K.run("QuantizeLinear", opset: 19, inputs: [x, scale, zero])[0]
        let (low, high) = Self.ranges[type]!
        let expected = x.scalars(as: Float.self).map {
            K.saturate(Double($0 / Float(0.173)) + Double(zero.int64s()[0]), low, high)
        }
        #expect(y.dataType == type)
        #expect(y.shape == [3, 7])
        #expect(y.doubles() == expected)
    }

    @Test func quantizeRoundsHalfToEvenAndSaturates() throws {
        let x = Tensor(shape: [6], scalars: [Float(0.5), 1.5, 2.5, -0.5, -2.5, 1000])
        let y = try K.run("QuantizeLinear", opset: 13, inputs: [x, Tensor(scalar: Float(1)), Tensor(scalar: Int8(0))])[0]
        #expect(y.scalars(as: Int8.self) == [0, 2, 2, 0, -2, 127])
    }

    @Test func quantizeDefaultsToUInt8AndHonoursOutputDtype() throws {
        var rng = K.Generator(seed: 5)
        let x = K.floats([10], using: &rng)
        let plain = try K.run("QuantizeLinear", opset: 21, inputs: [x, Tensor(scalar: Float(0.05))])[0]
        #expect(plain.dataType == .uint8)
        #expect(plain.doubles() == x.scalars(as: Float.self).map { K.saturate(Double($0 / 0.05), 0, 255) })
        let typed = try K.run("QuantizeLinear", opset: 21, inputs: [x, Tensor(scalar: Float(0.05))],
                              attributes: ["output_dtype": .int(Int(DataType.int16.rawValue))])[0]
        #expect(typed.dataType == .int16)
        #expect(typed.doubles() == x.scalars(as: Float.self).map { K.saturate(Double($0 / 0.05), -32768, 32767) })
    }

    @Test func quantizePerAxis() throws {
        var rng = K.Generator(seed: 7)
        let x = K.floats([2, 3, 4], using: &rng)
        let scales: [Float] = [0.02, 0.05, 0.11]
        let zeros: [UInt8] = [120, 128, 131]
        let y = try K.run("QuantizeLinear", opset: 13, inputs: [x, Tensor(shape: [3], scalars: scales), Tensor(shape: [3], scalars: zeros)],
                          attributes: ["axis": .int(-2)])[0]
        let values = x.scalars(as: Float.self)
        var expected: [Double] = []
        for i in 0..<2 { for c in 0..<3 { for j in 0..<4 {
            expected.append(K.saturate(Double(values[(i * 3 + c) * 4 + j] / scales[c]) + Double(zeros[c]), 0, 255))
        } } }
        #expect(y.doubles() == expected)
    }

    @Test func quantizeAndDequantizeBlocked() throws {
        var rng = K.Generator(seed: 9)
        // Axis 1 of length 6 in blocks of 4: the second block holds the remaining 2.
        let x = K.floats([3, 6], using: &rng)
        let scale = K.scales([3, 2], in: 0.01...0.1, using: &rng)
        let zero = K.integers(.int8, [3, 2], in: -10...10, using: &rng)
        let attributes: [String: Attribute] = ["axis": .int(1), "block_size": .int(4)]
        let y = try K.run("QuantizeLinear", opset: 21, inputs: [x, scale, zero], attributes: attributes)[0]
        let xs = x.scalars(as: Float.self), ss = scale.scalars(as: Float.self), zs = zero.int64s()
        var expected: [Double] = []
        for r in 0..<3 { for c in 0..<6 {
            let p = r * 2 + c / 4
            expected.append(K.saturate(Double(xs[r * 6 + c] / ss[p]) + Double(zs[p]), -128, 127))
        } }
        #expect(y.doubles() == expected)
        let back = try K.run("DequantizeLinear", opset: 21, inputs: [y, scale, zero], attributes: attributes)[0]
        let ys = y.int64s()
        let dequantized = (0..<18).map { (i: Int) -> Double in
            let p: Int = (i / 6) * 2 + (i % 6) / 4
            return Double(Float(ys[i] - zs[p]) * ss[p])
        }
        NormRNNFixtures.expectClose(back, dequantized, shape: [3, 6], tolerance: 1e-6)
    }

    @Test(arguments: [DataType.uint8, .int8, .uint16, .int16, .int32])
    func dequantizePerAxis(type: DataType) throws {
        var rng = K.Generator(seed: 11)
        let x = K.integers(type, [4, 3], in: type == .int32 ? -100_000...100_000 : 0...100, using: &rng)
        let scale = K.scales([4], in: 0.01...1, using: &rng)
        let zero = K.integers(type, [4], in: 0...20, using: &rng)
        let y = try K.run("DequantizeLinear", opset: 13, inputs: [x, scale, zero], attributes: ["axis": .int(0)])[0]
        let xs = x.int64s(), ss = scale.doubles(), zs = zero.int64s()
        #expect(y.dataType == .float32)
        NormRNNFixtures.expectClose(y, (0..<12).map { Double(xs[$0] - zs[$0 / 3]) * ss[$0 / 3] }, shape: [4, 3], tolerance: 1e-6)
    }

    @Test func dequantizeOutputDtype() throws {
        let x = Tensor(shape: [3], scalars: [UInt8(3), 200, 17])
        let y = try K.run("DequantizeLinear", opset: 23, inputs: [x, Tensor(scalar: Float(0.5)), Tensor(scalar: UInt8(10))],
                          attributes: ["output_dtype": .int(Int(DataType.float16.rawValue))])[0]
        #expect(y.dataType == .float16)
        #expect(y.doubles() == [-3.5, 95, 3.5])
    }

    @Test func dynamicQuantizeLinear() throws {
        var rng = K.Generator(seed: 13)
        let x = K.floats([4, 5], in: -2...6, using: &rng)
        let outputs = try K.run("DynamicQuantizeLinear", opset: 11, inputs: [x], outputs: ["y", "s", "z"])
        let values = x.scalars(as: Float.self)
        let high = max(0, values.max()!), low = min(0, values.min()!)
        let scale = (high - low) / 255
        let zero = min(255, max(0, (0 - low / scale))).rounded(.toNearestOrEven)
        #expect(outputs[1].scalars(as: Float.self) == [scale])
        #expect(outputs[2].scalars(as: UInt8.self) == [UInt8(zero)])
        #expect(outputs[0].doubles() == values.map { K.saturate(Double(($0 / scale).rounded(.toNearestOrEven) + zero), 0, 255) })
    }

    @Test func invalidQuantizationParameters() {
        let x = Tensor(shape: [2, 4], scalars: [Float](repeating: 1.5, count: 8))
        K.expectInvalid("differs from y_zero_point's type int8") {
            try K.run("QuantizeLinear", opset: 21, inputs: [x, Tensor(scalar: Float(1)), Tensor(scalar: Int8(0))],
                      attributes: ["output_dtype": .int(Int(DataType.uint8.rawValue))])
        }
        K.expectInvalid("must be a scalar or 1-D") {
            try K.run("QuantizeLinear", opset: 21, inputs: [x, Tensor(shape: [2, 2], scalars: [Float](repeating: 1, count: 4))])
        }
        K.expectInvalid("blocked quantization") {
            try K.run("QuantizeLinear", opset: 21, inputs: [x, Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))],
                      attributes: ["block_size": .int(2)])
        }
        K.expectInvalid("per-axis quantization") {
            try K.run("DequantizeLinear", opset: 13, inputs: [Tensor(shape: [2, 4], scalars: [UInt8](repeating: 1, count: 8)),
                                                              Tensor(shape: [3], scalars: [Float](repeating: 1, count: 3))])
        }
        K.expectInvalid("x_zero_point has type int8") {
            try K.run("DequantizeLinear", opset: 13, inputs: [Tensor(shape: [2], scalars: [UInt8(1), 2]), Tensor(scalar: Float(1)), Tensor(scalar: Int8(0))])
        }
    }
}
