import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct QLinearTests {
    typealias K = QuantizationTestKit

    @Test(arguments: [DataType.uint8, .int8])
    func qLinearMatMulPerColumn(type: DataType) throws {
        var rng = K.Generator(seed: 21)
        let (batch, m, k, n) = (2, 3, 5, 4)
        let range: ClosedRange<Int64> = type == .uint8 ? 0...255 : -128...127
        let a = K.integers(type, [batch, m, k], in: range, using: &rng)
        let b = K.integers(type, [k, n], in: range, using: &rng)
        let aScale = Tensor(scalar: Float(0.02)), aZero = K.integers(type, [], in: 0...9, using: &rng)
        let bScale = K.scales([n], in: 0.01...0.05, using: &rng), bZero = K.integers(type, [n], in: 0...9, using: &rng)
        let yScale = Tensor(scalar: Float(0.9)), yZero = K.integers(type, [], in: 0...20, using: &rng)
        let y = try K.run("QLinearMatMul", opset: 10, inputs: [a, aScale, aZero, b, bScale, bZero, yScale, yZero])[0]
        let av = a.int64s(), bv = b.int64s(), bz = bZero.int64s(), bs = bScale.scalars(as: Float.self)
        let az = aZero.int64s()[0], yz = Double(yZero.int64s()[0])
        var expected: [Double] = []
        for p in 0..<batch { for i in 0..<m { for j in 0..<n {
            var sum: Int64 = 0
            for l in 0..<k { sum += (av[(p * m + i) * k + l] - az) * (bv[l * n + j] - bz[j]) }
            let multiplier = Double(Float(0.02) * bs[j] / Float(0.9))
            expected.append(K.saturate(Double(sum) * multiplier + yz, Double(range.lowerBound), Double(range.upperBound)))
        } } }
        #expect(y.dataType == type)
        #expect(y.shape == [batch, m, n])
        #expect(y.doubles() == expected)
    }

    @Test func qLinearConvPerChannelWithBias() throws {
        var rng = K.Generator(seed: 23)
        let (c, h, w, m, kh, kw) = (2, 5, 4, 3, 3, 2)
        let x = K.integers(.uint8, [1, c, h, w], in: 0...255, using: &rng)
        let wt = K.integers(.int8, [m, c, kh, kw], in: -127...127, using: &rng)
        let bias = K.integers(.int32, [m], in: -500...500, using: &rng)
        let wScale = K.scales([m], in: 0.001...0.01, using: &rng)
        let wZero = Tensor(shape: [m], scalars: [Int8](repeating: 0, count: m))
        let inputs: [Tensor?] = [x, Tensor(scalar: Float(0.05)), Tensor(scalar: UInt8(100)), wt, wScale, wZero,
                                 Tensor(scalar: Float(0.2)), Tensor(scalar: UInt8(50)), bias]
        let y = try K.run("QLinearConv", opset: 10, inputs: inputs, attributes: ["pads": .ints([1, 0, 1, 0])])[0]
        let (oh, ow) = (h + 2 - kh + 1, w - kw + 1)
        let xv = x.int64s(), wv = wt.int64s(), bv = bias.int64s(), ws = wScale.scalars(as: Float.self)
        var expected: [Double] = []
        for o in 0..<m { for i in 0..<oh { for j in 0..<ow {
            var sum = bv[o]
            for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                let row = i + u - 1, col = j + v
                guard row >= 0, row < h else { continue }
                sum += (xv[(ch * h + row) * w + col] - 100) * wv[((o * c + ch) * kh + u) * kw + v]
            } } }
            expected.append(K.saturate(Double(sum) * Double(Float(0.05) * ws[o] / Float(0.2)) + 50, 0, 255))
        } } }
        #expect(y.shape == [1, m, oh, ow])
        #expect(y.doubles() == expected)
    }

    @Test func invalidQLinearInputs() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [UInt8](repeating: 3, count: 4))
        let w = Tensor(shape: [1, 1, 1, 1], scalars: [UInt8(2)])
        let one = Tensor(scalar: Float(1)), zero = Tensor(scalar: UInt8(0))
        K.expectInvalid("B must be int32") {
            try K.run("QLinearConv", opset: 10, inputs: [x, one, zero, w, one, zero, one, zero, Tensor(shape: [2], scalars: [Int32(1), 2])])
        }
        K.expectInvalid("w_zero_point has type int8") {
            try K.run("QLinearConv", opset: 10, inputs: [x, one, zero, w, one, Tensor(scalar: Int8(0)), one, zero])
        }
        K.expectInvalid("must be uint8 or int8") {
            try K.run("QLinearMatMul", opset: 10, inputs: [Tensor(shape: [1, 1], scalars: [Float(1)]), one, zero, w, one, zero, one, zero])
        }
        K.expectInvalid("b_scale has shape [3]") {
            try K.run("QLinearMatMul", opset: 10, inputs: [Tensor(shape: [2, 2], scalars: [UInt8](repeating: 1, count: 4)), one, zero,
                                                           Tensor(shape: [2, 2], scalars: [UInt8](repeating: 1, count: 4)),
                                                           Tensor(shape: [3], scalars: [Float](repeating: 1, count: 3)), zero, one, zero])
        }
    }
}

@Suite struct MicrosoftQLinearTests {
    typealias K = QuantizationTestKit
    static let domain = ReferenceKernels.microsoftDomain

    /// Dequantized values in float32, the precision onnxruntime computes these operators in.
    static func real(_ t: Tensor, _ scale: Float, _ zero: Int64) -> [Float] { t.int64s().map { Float($0 - zero) * scale } }

    /// Quantizes a float32 value: round half to even, add the zero point, clamp.
    static func q(_ value: Float, _ scale: Float, _ zero: Float, _ low: Double, _ high: Double) -> Double {
        K.saturate(Double((value / scale).rounded(.toNearestOrEven) + zero), low, high)
    }

    @Test func qLinearAddBroadcasts() throws {
        var rng = K.Generator(seed: 31)
        let a = K.integers(.uint8, [2, 3], in: 0...255, using: &rng), b = K.integers(.uint8, [3], in: 0...255, using: &rng)
        let inputs: [Tensor?] = [a, Tensor(scalar: Float(0.1)), Tensor(scalar: UInt8(128)), b, Tensor(scalar: Float(0.05)),
                                 Tensor(scalar: UInt8(7)), Tensor(scalar: Float(0.2)), Tensor(scalar: UInt8(120))]
        let y = try K.run("QLinearAdd", domain: Self.domain, opset: 1, inputs: inputs)[0]
        let ar = Self.real(a, 0.1, 128), br = Self.real(b, 0.05, 7)
        let expected = (0..<6).map { Self.q(ar[$0] + br[$0 % 3], 0.2, 120, 0, 255) }
        #expect(y.shape == [2, 3])
        #expect(y.doubles() == expected)
    }

    @Test func qLinearMulAndSigmoidAndLeakyRelu() throws {
        var rng = K.Generator(seed: 33)
        let x = K.integers(.int8, [10], in: -128...127, using: &rng)
        let (s, z) = (Tensor(scalar: Float(0.04)), Tensor(scalar: Int8(-3)))
        let xr = Self.real(x, 0.04, -3)
        let product = try K.run("QLinearMul", domain: Self.domain, opset: 1,
                                inputs: [x, s, z, x, s, z, Tensor(scalar: Float(0.1)), Tensor(scalar: Int8(0))])[0]
        #expect(product.doubles() == xr.map { Self.q($0 * $0, 0.1, 0, -128, 127) })
        let sigmoid = try K.run("QLinearSigmoid", domain: Self.domain, opset: 1,
                                inputs: [x, s, z, Tensor(scalar: Float(1.0 / 256)), Tensor(scalar: Int8(-128))])[0]
        #expect(sigmoid.doubles() == xr.map { Self.q(1 / (1 + exp(-$0)), 1.0 / 256, -128, -128, 127) })
        let leaky = try K.run("QLinearLeakyRelu", domain: Self.domain, opset: 1, inputs: [x, s, z, s, z],
                              attributes: ["alpha": .float(0.25)])[0]
        #expect(leaky.doubles() == xr.map { Self.q($0 >= 0 ? $0 : 0.25 * $0, 0.04, -3, -128, 127) })
    }

    @Test(arguments: [false, true])
    func qLinearGlobalAveragePool(channelsLast: Bool) throws {
        var rng = K.Generator(seed: 35)
        let shape = channelsLast ? [2, 3, 4, 5] : [2, 5, 3, 4]
        let x = K.integers(.uint8, shape, in: 0...255, using: &rng)
        let y = try K.run("QLinearGlobalAveragePool", domain: Self.domain, opset: 1,
                          inputs: [x, Tensor(scalar: Float(0.1)), Tensor(scalar: UInt8(10)), Tensor(scalar: Float(0.3)), Tensor(scalar: UInt8(5))],
                          attributes: ["channels_last": .int(channelsLast ? 1 : 0)])[0]
        let xs = x.int64s()
        var expected: [Double] = []
        for n in 0..<2 { for c in 0..<5 {
            var sum: Int64 = 0
            for s in 0..<12 { sum += xs[channelsLast ? (n * 12 + s) * 5 + c : (n * 5 + c) * 12 + s] - 10 }
            expected.append(Self.q(Float(sum) * (Float(0.1) / (Float(0.3) * 12)), 1, 5, 0, 255))
        } }
        #expect(y.shape == (channelsLast ? [2, 1, 1, 5] : [2, 5, 1, 1]))
        #expect(y.doubles() == expected)
    }

    @Test func qLinearConcatRequantizes() throws {
        var rng = K.Generator(seed: 37)
        let a = K.integers(.uint8, [2, 2], in: 0...255, using: &rng), b = K.integers(.uint8, [2, 3], in: 0...255, using: &rng)
        let y = try K.run("QLinearConcat", domain: Self.domain, opset: 1,
                          inputs: [Tensor(scalar: Float(0.5)), Tensor(scalar: UInt8(100)),
                                   a, Tensor(scalar: Float(0.25)), Tensor(scalar: UInt8(0)),
                                   b, Tensor(scalar: Float(1)), Tensor(scalar: UInt8(128))],
                          attributes: ["axis": .int(1)])[0]
        let ar = Self.real(a, 0.25, 0), br = Self.real(b, 1, 128)
        let joined = [ar[0], ar[1], br[0], br[1], br[2], ar[2], ar[3], br[3], br[4], br[5]]
        #expect(y.shape == [2, 5])
        #expect(y.doubles() == joined.map { Self.q($0, 0.5, 100, 0, 255) })
        K.expectInvalid("differ outside axis") {
            try K.run("QLinearConcat", domain: Self.domain, opset: 1,
                      inputs: [Tensor(scalar: Float(0.5)), Tensor(scalar: UInt8(100)), a, Tensor(scalar: Float(1)), Tensor(scalar: UInt8(0)),
                               K.integers(.uint8, [3, 3], in: 0...9, using: &rng), Tensor(scalar: Float(1)), Tensor(scalar: UInt8(0))],
                      attributes: ["axis": .int(1)])
        }
    }
}
