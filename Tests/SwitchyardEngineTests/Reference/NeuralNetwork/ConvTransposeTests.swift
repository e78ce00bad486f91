import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

@Suite struct ConvTransposeTests {
    typealias Support = NeuralNetworkTestSupport

    struct Case {
        var input: [Int]              // [N, C, spatial…]
        var outputsPerGroup: Int      // W is [C, outputsPerGroup, kernel…]
        var kernel: [Int]
        var group = 1
        var strides: [Int]? = nil
        var dilations: [Int]? = nil
        var pads: [Int]? = nil
        var outputPadding: [Int]? = nil
        var outputShape: [Int]? = nil
        var autoPad: String? = nil
    }

    /// Scatter form: every input element adds `x · w[tap]` at `i · stride − padBegin + tap · dilation`.
    /// Output size and begin padding are worked out here from the spec's formulas.
    static func naive(_ c: Case, x: [Double], w: [Double], b: [Double]) -> (values: [Double], shape: [Int]) {
        let rank = c.kernel.count
        let strides = c.strides ?? Array(repeating: 1, count: rank)
        let dilations = c.dilations ?? Array(repeating: 1, count: rank)
        let outputPadding = c.outputPadding ?? Array(repeating: 0, count: rank)
        let pads = c.pads ?? Array(repeating: 0, count: 2 * rank)
        var outSpatial: [Int] = [], begin: [Int] = []
        for axis in 0..<rank {
            let size = c.input[axis + 2]
            let natural = strides[axis] * (size - 1) + outputPadding[axis] + (c.kernel[axis] - 1) * dilations[axis] + 1
            if c.outputShape != nil || c.autoPad == "SAME_UPPER" || c.autoPad == "SAME_LOWER" {
                let out = c.outputShape?[axis] ?? size * strides[axis]
                let total = natural - out
                let half = Int((Double(total) / 2).rounded(.down))
                begin.append(c.autoPad == "SAME_UPPER" ? half : total - half)
                outSpatial.append(out)
            } else {
                begin.append(pads[axis])
                outSpatial.append(natural - pads[axis] - pads[rank + axis])
            }
        }
        let channels = c.input[1], groupInputs = channels / c.group, outputChannels = c.outputsPerGroup * c.group
        let outShape = [c.input[0], outputChannels] + outSpatial
        var y = [Double](repeating: 0, count: outShape.reduce(1, *))
        for index in Support.indices(outShape) { y[Support.offset(index, outShape)] = b[index[1]] }
        let wShape = [channels, c.outputsPerGroup] + c.kernel
        for index in Support.indices(c.input) {
            let (n, channel) = (index[0], index[1])
            let g = channel / groupInputs
            for m in 0..<c.outputsPerGroup {
                for tap in Support.indices(c.kernel) {
                    var coordinate: [Int] = []
                    for axis in 0..<rank {
                        coordinate.append(index[axis + 2] * strides[axis] - begin[axis] + tap[axis] * dilations[axis])
                    }
                    guard zip(coordinate, outSpatial).allSatisfy({ $0 >= 0 && $0 < $1 }) else { continue }
                    y[Support.offset([n, g * c.outputsPerGroup + m] + coordinate, outShape)] +=
                        x[Support.offset(index, c.input)] * w[Support.offset([channel, m] + tap, wShape)]
                }
            }
        }
        return (y, outShape)
    }

    static func check(_ c: Case, type: DataType = .float32, seed: UInt64, tolerance: Double = 1e-4) throws {
        var random = NeuralNetworkTestRandom(seed: seed)
        let wShape = [c.input[1], c.outputsPerGroup] + c.kernel
        let x = Tensor(dataType: type, shape: c.input, doubles: random.values(c.input.reduce(1, *)))
        let w = Tensor(dataType: type, shape: wShape, doubles: random.values(wShape.reduce(1, *)))
        let b = Tensor(dataType: type, shape: [c.outputsPerGroup * c.group], doubles: random.values(c.outputsPerGroup * c.group))
        var attributes: [String: Attribute] = [:]
        if c.group != 1 { attributes["group"] = .int(c.group) }
        if let v = c.strides { attributes["strides"] = .ints(v) }
        if let v = c.dilations { attributes["dilations"] = .ints(v) }
        if let v = c.pads { attributes["pads"] = .ints(v) }
        if let v = c.outputPadding { attributes["output_padding"] = .ints(v) }
        if let v = c.outputShape { attributes["output_shape"] = .ints(v) }
        if let v = c.autoPad { attributes["auto_pad"] = .string(v) }
        let expected = naive(c, x: x.doubles(), w: w.doubles(), b: b.doubles())
        let y = try Support.run("ConvTranspose", inputs: [x, w, b], attributes: attributes)[0]
        #expect(y.dataType == type)
        Support.expectClose(y, expected.values, shape: expected.shape, tolerance: tolerance)
    }

    @Test func stridesPadsAndOutputPadding() throws {
        try Self.check(Case(input: [2, 3, 4, 5], outputsPerGroup: 2, kernel: [3, 3]), seed: 21)
        try Self.check(Case(input: [1, 2, 4, 3], outputsPerGroup: 3, kernel: [3, 2], strides: [2, 3], pads: [1, 0, 2, 1],
                            outputPadding: [1, 2]), seed: 22)
    }

    @Test func dilationsAndGroups() throws {
        try Self.check(Case(input: [1, 4, 3, 4], outputsPerGroup: 3, kernel: [2, 3], group: 2, strides: [2, 1], dilations: [2, 2]), seed: 23)
        try Self.check(Case(input: [2, 3, 5, 5], outputsPerGroup: 1, kernel: [3, 3], group: 3, strides: [2, 2], pads: [1, 1, 1, 1]), seed: 24)
    }

    @Test func outputShapeAndAutoPad() throws {
        try Self.check(Case(input: [1, 1, 3, 3], outputsPerGroup: 2, kernel: [3, 3], strides: [3, 2], outputShape: [10, 8]), seed: 25)
        try Self.check(Case(input: [1, 2, 3, 4], outputsPerGroup: 2, kernel: [3, 3], strides: [2, 2], outputShape: [6, 7]), seed: 26)
        for mode in ["SAME_UPPER", "SAME_LOWER"] {
            try Self.check(Case(input: [1, 2, 3, 4], outputsPerGroup: 2, kernel: [4, 3], strides: [2, 3], autoPad: mode), seed: 27)
        }
    }

    @Test func oneAndThreeSpatialAxesAndFloat64() throws {
        try Self.check(Case(input: [1, 2, 6], outputsPerGroup: 3, kernel: [3], strides: [3], pads: [1, 0]), seed: 28)
        try Self.check(Case(input: [1, 2, 2, 3, 2], outputsPerGroup: 2, kernel: [2, 2, 3], strides: [1, 2, 2], dilations: [2, 1, 1]), seed: 29)
        try Self.check(Case(input: [1, 2, 3, 3], outputsPerGroup: 2, kernel: [2, 2], strides: [2, 2]), type: .float64, seed: 30, tolerance: 1e-12)
    }

    @Test func badShapesThrow() {
        let x = Tensor(zeros: .float32, shape: [1, 4, 3, 3])
        func run(_ w: [Int], _ attributes: [String: Attribute] = [:], bias: Int? = nil) throws {
            _ = try Support.run("ConvTranspose", inputs: [x, Tensor(zeros: .float32, shape: w), bias.map { Tensor(zeros: .float32, shape: [$0]) }],
                                attributes: attributes)
        }
        Support.expectKernelError { try run([3, 2, 3, 3]) }                            // W's first axis must be C
        Support.expectKernelError { try run([4, 2, 3, 3], ["group": .int(3)]) }
        Support.expectKernelError { try run([4, 2, 3, 3], bias: 3) }
        Support.expectKernelError { try run([4, 2, 3, 3], ["pads": .ints([3, 3, 3, 3])]) } // no output left
        Support.expectKernelError { try run([4, 2, 3, 3], ["output_shape": .ints([5])]) }
        Support.expectKernelError { try run([4, 2, 3]) }
    }
}
