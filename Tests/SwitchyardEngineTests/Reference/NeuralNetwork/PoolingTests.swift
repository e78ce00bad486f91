import Foundation
import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

@Suite struct PoolingTests {
    typealias Support = NeuralNetworkTestSupport

    struct Case {
        var input: [Int]
        var kernel: [Int]
        var strides: [Int]? = nil
        var dilations: [Int]? = nil
        var pads: [Int]? = nil
        var autoPad: String? = nil
        var ceilMode = false

        var attributes: [String: Attribute] {
            var result: [String: Attribute] = ["kernel_shape": .ints(kernel)]
            if let v = strides { result["strides"] = .ints(v) }
            if let v = dilations { result["dilations"] = .ints(v) }
            if let v = pads { result["pads"] = .ints(v) }
            if let v = autoPad { result["auto_pad"] = .string(v) }
            if ceilMode { result["ceil_mode"] = .int(1) }
            return result
        }
    }

    /// One window of the naive pooling: the input offsets inside it (window order) and how many
    /// positions it covers inside input plus explicit padding.
    struct Window {
        var offsets: [Int]
        var paddedCount: Int
    }

    /// Output spatial shape and, per output position, its window (offsets within one plane).
    static func windows(_ c: Case) -> (shape: [Int], windows: [Window]) {
        let rank = c.kernel.count, spatial = Array(c.input[2...])
        let strides = c.strides ?? Array(repeating: 1, count: rank)
        let dilations = c.dilations ?? Array(repeating: 1, count: rank)
        var begin = Array((c.pads ?? Array(repeating: 0, count: 2 * rank))[0..<rank])
        var end = Array((c.pads ?? Array(repeating: 0, count: 2 * rank))[rank...])
        var outShape: [Int] = []
        for axis in 0..<rank {
            let extent = (c.kernel[axis] - 1) * dilations[axis] + 1
            switch c.autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                let out = Int((Double(spatial[axis]) / Double(strides[axis])).rounded(.up))
                let total = max(0, (out - 1) * strides[axis] + extent - spatial[axis])
                begin[axis] = c.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
                outShape.append(out)
            case "VALID":
                begin[axis] = 0
                end[axis] = 0
                outShape.append((spatial[axis] - extent) / strides[axis] + 1)
            default:
                let exact = Double(spatial[axis] + begin[axis] + end[axis] - extent) / Double(strides[axis]) + 1
                var out = Int(c.ceilMode ? exact.rounded(.up) : exact.rounded(.down))
                if c.ceilMode && (out - 1) * strides[axis] >= spatial[axis] + begin[axis] { out -= 1 }
                outShape.append(out)
            }
        }
        var result: [Window] = []
        for index in Support.indices(outShape) {
            var window = Window(offsets: [], paddedCount: 0)
            for tap in Support.indices(c.kernel) {
                let coordinate = (0..<rank).map { index[$0] * strides[$0] - begin[$0] + tap[$0] * dilations[$0] }
                if (0..<rank).allSatisfy({ coordinate[$0] < spatial[$0] + end[$0] }) { window.paddedCount += 1 }
                if (0..<rank).allSatisfy({ coordinate[$0] >= 0 && coordinate[$0] < spatial[$0] }) {
                    window.offsets.append(Support.offset(coordinate, spatial))
                }
            }
            result.append(window)
        }
        return (outShape, result)
    }

    enum Kind { case max, average(includePad: Bool), lp(Double) }

    static func naive(_ c: Case, _ x: [Double], _ kind: Kind) -> (values: [Double], indices: [Int], shape: [Int]) {
        let (outSpatial, windows) = windows(c)
        let planes = c.input[0] * c.input[1], planeSize = c.input[2...].reduce(1, *)
        var values: [Double] = [], indices: [Int] = []
        for plane in 0..<planes {
            for window in windows {
                let elements = window.offsets.map { x[plane * planeSize + $0] }
                switch kind {
                case .max:
                    var best = 0
                    for (position, value) in elements.enumerated() where value > elements[best] { best = position }
                    values.append(elements[best])
                    indices.append(plane * planeSize + window.offsets[best])
                case .average(let includePad):
                    values.append(elements.reduce(0, +) / Double(includePad ? window.paddedCount : elements.count))
                case .lp(let p):
                    values.append(pow(elements.map { pow(abs($0), p) }.reduce(0, +), 1 / p))
                }
            }
        }
        return (values, indices, [c.input[0], c.input[1]] + outSpatial)
    }

    static let cases: [Case] = [
        Case(input: [2, 3, 7, 6], kernel: [3, 3]),
        Case(input: [1, 2, 9, 8], kernel: [3, 2], strides: [2, 3], pads: [1, 0, 2, 1]),
        Case(input: [1, 2, 8, 9], kernel: [2, 3], strides: [2, 2], dilations: [2, 2], pads: [1, 1, 0, 1]),
        Case(input: [1, 2, 7, 8], kernel: [3, 3], strides: [2, 3], pads: [1, 1, 1, 1], ceilMode: true),
        Case(input: [1, 1, 2, 2], kernel: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1], ceilMode: true),
        Case(input: [1, 2, 7, 8], kernel: [3, 2], strides: [2, 3], autoPad: "SAME_UPPER"),
        Case(input: [1, 2, 7, 8], kernel: [3, 2], strides: [2, 3], autoPad: "SAME_LOWER"),
        Case(input: [1, 2, 7, 8], kernel: [3, 2], strides: [2, 3], autoPad: "VALID"),
        Case(input: [2, 2, 11], kernel: [4], strides: [3], pads: [2, 1], ceilMode: true),
        Case(input: [1, 2, 5, 6, 4], kernel: [2, 3, 2], strides: [2, 1, 2], dilations: [1, 2, 1], pads: [1, 0, 1, 0, 1, 1]),
    ]

    @Test func maxPoolWithIndicesInBothStorageOrders() throws {
        for (number, c) in Self.cases.enumerated() {
            var random = NeuralNetworkTestRandom(seed: 40 + UInt64(number))
            let x = random.floats(c.input.reduce(1, *))
            let expected = Self.naive(c, x.map(Double.init), .max)
            for order in [0, 1] {
                var attributes = c.attributes
                attributes["storage_order"] = .int(order)
                let outputs = try Support.run("MaxPool", inputs: [Tensor(shape: c.input, scalars: x)], attributes: attributes, outputCount: 2)
                Support.expectClose(outputs[0], expected.values, shape: expected.shape, tolerance: 0)
                let spatial = Array(c.input[2...]), planeSize = spatial.reduce(1, *)
                let wanted = expected.indices.map { index -> Int64 in
                    guard order == 1 else { return Int64(index) }
                    // Column-major within the plane: the first spatial axis varies fastest.
                    var rest = index % planeSize, converted = 0, stride = 1
                    let coordinate = ShapeMath.strides(spatial).map { step in defer { rest %= step }; return rest / step }
                    for axis in 0..<spatial.count { converted += coordinate[axis] * stride; stride *= spatial[axis] }
                    return Int64(index / planeSize * planeSize + converted)
                }
                #expect(outputs[1].scalars(as: Int64.self) == wanted, "case \(number) order \(order)")
            }
        }
    }

    @Test func maxPoolIntegerTypesAndSingleOutput() throws {
        let c = Self.cases[3]
        var random = NeuralNetworkTestRandom(seed: 60)
        let signed = (0..<c.input.reduce(1, *)).map { _ in Int8.random(in: -128...127, using: &random) }
        let unsigned = signed.map { UInt8(bitPattern: $0) }
        let signedExpected = Self.naive(c, signed.map(Double.init), .max)
        let unsignedExpected = Self.naive(c, unsigned.map(Double.init), .max)
        let y8 = try Support.run("MaxPool", inputs: [Tensor(shape: c.input, scalars: signed)], attributes: c.attributes)
        let yu8 = try Support.run("MaxPool", inputs: [Tensor(shape: c.input, scalars: unsigned)], attributes: c.attributes)
        #expect(y8.count == 1 && y8[0].dataType == .int8)
        Support.expectClose(y8[0], signedExpected.values, shape: signedExpected.shape, tolerance: 0)
        Support.expectClose(yu8[0], unsignedExpected.values, shape: unsignedExpected.shape, tolerance: 0)
    }

    @Test func averagePoolCountingPaddingOrNot() throws {
        for (number, c) in Self.cases.enumerated() {
            var random = NeuralNetworkTestRandom(seed: 70 + UInt64(number))
            let x = random.floats(c.input.reduce(1, *))
            for includePad in [false, true] {
                var attributes = c.attributes
                attributes["count_include_pad"] = .int(includePad ? 1 : 0)
                let expected = Self.naive(c, x.map(Double.init), .average(includePad: includePad))
                let y = try Support.run("AveragePool", inputs: [Tensor(shape: c.input, scalars: x)], attributes: attributes)[0]
                Support.expectClose(y, expected.values, shape: expected.shape)
            }
        }
    }

    @Test func lpPoolForSeveralP() throws {
        for (number, c) in Self.cases.enumerated() {
            var random = NeuralNetworkTestRandom(seed: 90 + UInt64(number))
            let x = random.values(c.input.reduce(1, *))
            for p in [1, 2, 3] {
                var attributes = c.attributes
                attributes["p"] = .int(p)
                let expected = Self.naive(c, x, .lp(Double(p)))
                let y = try Support.run("LpPool", inputs: [Tensor(shape: c.input, scalars: x)], attributes: attributes)[0]
                #expect(y.dataType == .float64)
                Support.expectClose(y, expected.values, shape: expected.shape, tolerance: 1e-12)
            }
        }
    }

    @Test func float16AveragePool() throws {
        let c = Self.cases[1]
        var random = NeuralNetworkTestRandom(seed: 110)
        let x = Tensor(dataType: .float16, shape: c.input, doubles: random.values(c.input.reduce(1, *)))
        let expected = Self.naive(c, x.doubles(), .average(includePad: false))
        let y = try Support.run("AveragePool", inputs: [x], attributes: c.attributes)[0]
        #expect(y.dataType == .float16)
        Support.expectClose(y, expected.values, shape: expected.shape, tolerance: 2e-3)
    }

    @Test func globalPools() throws {
        var random = NeuralNetworkTestRandom(seed: 111)
        let shape = [2, 3, 4, 5, 2]
        let x = random.values(shape.reduce(1, *))
        let planes = x.count / 40
        let slices = (0..<planes).map { Array(x[($0 * 40)..<(($0 + 1) * 40)]) }
        let input = Tensor(shape: shape, scalars: x.map { Float($0) })
        let outShape = [2, 3, 1, 1, 1]
        Support.expectClose(try Support.run("GlobalAveragePool", inputs: [input])[0], slices.map { $0.reduce(0, +) / 40 }, shape: outShape)
        Support.expectClose(try Support.run("GlobalMaxPool", inputs: [input])[0], slices.map { $0.max()! }, shape: outShape)
        Support.expectClose(try Support.run("GlobalLpPool", inputs: [input], attributes: ["p": .int(3)])[0],
                            slices.map { pow($0.map { pow(abs($0), 3) }.reduce(0, +), 1.0 / 3) }, shape: outShape)
    }

    /// MaxPool then MaxUnpool puts each maximum back where it came from and zeros elsewhere.
    @Test func maxUnpoolInvertsMaxPool() throws {
        let c = Case(input: [1, 2, 4, 6], kernel: [2, 2], strides: [2, 2])
        var random = NeuralNetworkTestRandom(seed: 112)
        let x = random.floats(48)
        let pooled = try Support.run("MaxPool", inputs: [Tensor(shape: c.input, scalars: x)], attributes: c.attributes, outputCount: 2)
        var expected = [Double](repeating: 0, count: 48)
        for (value, index) in zip(pooled[0].doubles(), pooled[1].scalars(as: Int64.self)) { expected[Int(index)] = value }
        let unpooled = try Support.run("MaxUnpool", inputs: pooled, attributes: c.attributes)[0]
        Support.expectClose(unpooled, expected, shape: c.input, tolerance: 0)
        // A larger output_shape pads with zeros after the inferred extent.
        let larger = try Support.run(
            "MaxUnpool", inputs: pooled + [Tensor(shape: [4], scalars: [Int64(1), 2, 5, 7])], attributes: c.attributes)[0]
        var padded = [Double](repeating: 0, count: 2 * 5 * 7)
        for index in Support.indices(c.input) { padded[Support.offset(index, [1, 2, 5, 7])] = expected[Support.offset(index, c.input)] }
        Support.expectClose(larger, padded, shape: [1, 2, 5, 7], tolerance: 0)
    }

    @Test func badInputsThrow() {
        let x = Tensor(zeros: .float32, shape: [1, 2, 4, 4])
        Support.expectKernelError { _ = try Support.run("MaxPool", inputs: [x]) }                      // no kernel_shape
        Support.expectKernelError { _ = try Support.run("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2])]) }
        Support.expectKernelError { _ = try Support.run("AveragePool", inputs: [x], attributes: ["kernel_shape": .ints([5, 5])]) }
        Support.expectKernelError { _ = try Support.run("AveragePool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([0, 1])]) }
        Support.expectKernelError {
            _ = try Support.run("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2]), "storage_order": .int(2)], outputCount: 2)
        }
        Support.expectKernelError { _ = try Support.run("MaxPool", inputs: [Tensor(zeros: .int32, shape: [1, 2, 4, 4])], attributes: ["kernel_shape": .ints([2, 2])]) }
        Support.expectKernelError { _ = try Support.run("GlobalAveragePool", inputs: [Tensor(zeros: .float32, shape: [2, 3])]) }
        Support.expectKernelError {
            _ = try Support.run("MaxUnpool", inputs: [Tensor(zeros: .float32, shape: [1, 1, 2, 2]), Tensor(shape: [1, 1, 2, 2], scalars: [Int64(0), 1, 2, 99])],
                                attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
        }
    }
}
