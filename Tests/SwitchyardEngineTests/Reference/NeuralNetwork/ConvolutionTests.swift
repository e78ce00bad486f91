import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

@Suite struct ConvolutionTests {
    typealias Support = NeuralNetworkTestSupport

    struct Case {
        var input: [Int]            // [N, C, spatial…]
        var outputChannels: Int
        var kernel: [Int]
        var group = 1
        var strides: [Int]? = nil
        var dilations: [Int]? = nil
        var pads: [Int]? = nil
        var autoPad: String? = nil
        var bias = true
        var declareKernel = false
    }

    /// Direct convolution: for every output element, the sum over its group's input channels
    /// and every kernel tap that lands inside the input.
    static func naive(_ c: Case, x: [Double], w: [Double], b: [Double]?) -> (values: [Double], shape: [Int]) {
        let rank = c.kernel.count
        let strides = c.strides ?? Array(repeating: 1, count: rank)
        let dilations = c.dilations ?? Array(repeating: 1, count: rank)
        var begin = Array((c.pads ?? Array(repeating: 0, count: 2 * rank))[0..<rank])
        var outSpatial: [Int] = []
        for axis in 0..<rank {
            let size = c.input[axis + 2], extent = (c.kernel[axis] - 1) * dilations[axis] + 1
            switch c.autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                let out = (size + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + extent - size)
                begin[axis] = c.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                outSpatial.append(out)
            case "VALID":
                begin[axis] = 0
                outSpatial.append((size - extent) / strides[axis] + 1)
            default:
                let end = c.pads?[rank + axis] ?? 0
                outSpatial.append((size + begin[axis] + end - extent) / strides[axis] + 1)
            }
        }
        let batch = c.input[0], channels = c.input[1], groupInputs = channels / c.group
        let groupOutputs = c.outputChannels / c.group
        let inSpatial = Array(c.input[2...])
        let outShape = [batch, c.outputChannels] + outSpatial
        var y = [Double](repeating: 0, count: outShape.reduce(1, *))
        let taps = Support.indices(c.kernel), tapCount = taps.count
        let inputCount = inSpatial.reduce(1, *)
        for (linear, index) in Support.indices(outShape).enumerated() {
            let (n, m) = (index[0], index[1])
            let g = m / groupOutputs
            var sum = b?[m] ?? 0
            for (tapIndex, tap) in taps.enumerated() {
                var inputOffset = 0, inside = true
                for axis in 0..<rank {
                    let coordinate = index[axis + 2] * strides[axis] - begin[axis] + tap[axis] * dilations[axis]
                    if coordinate < 0 || coordinate >= inSpatial[axis] { inside = false; break }
                    inputOffset = inputOffset * inSpatial[axis] + coordinate
                }
                guard inside else { continue }
                for channel in 0..<groupInputs {
                    let xValue = x[(n * channels + g * groupInputs + channel) * inputCount + inputOffset]
                    let wValue = w[(m * groupInputs + channel) * tapCount + tapIndex]
                    sum += xValue * wValue
                }
            }
            y[linear] = sum
        }
        return (y, outShape)
    }

    static func attributes(_ c: Case) -> [String: Attribute] {
        var attributes: [String: Attribute] = [:]
        if c.group != 1 { attributes["group"] = .int(c.group) }
        if let strides = c.strides { attributes["strides"] = .ints(strides) }
        if let dilations = c.dilations { attributes["dilations"] = .ints(dilations) }
        if let pads = c.pads { attributes["pads"] = .ints(pads) }
        if let autoPad = c.autoPad { attributes["auto_pad"] = .string(autoPad) }
        if c.declareKernel { attributes["kernel_shape"] = .ints(c.kernel) }
        return attributes
    }

    static func check(_ c: Case, type: DataType = .float32, seed: UInt64, tolerance: Double = 1e-4) throws {
        var random = NeuralNetworkTestRandom(seed: seed)
        let wShape = [c.outputChannels, c.input[1] / c.group] + c.kernel
        let x = random.values(c.input.reduce(1, *)), w = random.values(wShape.reduce(1, *))
        let b = c.bias ? random.values(c.outputChannels) : nil
        // Round inputs to the tested type first so the reference sees the same values.
        let xTensor = Tensor(dataType: type, shape: c.input, doubles: x)
        let wTensor = Tensor(dataType: type, shape: wShape, doubles: w)
        let bTensor = b.map { Tensor(dataType: type, shape: [c.outputChannels], doubles: $0) }
        let expected = naive(c, x: xTensor.doubles(), w: wTensor.doubles(), b: bTensor?.doubles())
        let y = try Support.run("Conv", inputs: [xTensor, wTensor, bTensor], attributes: attributes(c))[0]
        #expect(y.dataType == type)
        Support.expectClose(y, expected.values, shape: expected.shape, tolerance: tolerance)
    }

    @Test func plain2D() throws {
        try Self.check(Case(input: [2, 3, 7, 6], outputChannels: 4, kernel: [3, 3]), seed: 1)
    }

    @Test func stridesDilationsAsymmetricPads() throws {
        try Self.check(Case(input: [1, 2, 9, 8], outputChannels: 3, kernel: [3, 2], strides: [2, 3], dilations: [2, 1],
                            pads: [1, 0, 2, 1]), seed: 2)
    }

    @Test func groupedAndKernelShapeDeclared() throws {
        try Self.check(Case(input: [2, 6, 5, 5], outputChannels: 4, kernel: [3, 3], group: 2, pads: [1, 1, 1, 1],
                            declareKernel: true), seed: 3)
    }

    @Test func depthwiseWithAndWithoutMultiplier() throws {
        try Self.check(Case(input: [2, 4, 9, 7], outputChannels: 4, kernel: [3, 3], group: 4, pads: [1, 1, 1, 1]), seed: 4)
        try Self.check(Case(input: [1, 3, 8, 8], outputChannels: 6, kernel: [5, 3], group: 3, strides: [2, 2],
                            dilations: [1, 2], pads: [2, 0, 1, 2]), seed: 5)
    }

    @Test func autoPadModes() throws {
        for mode in ["SAME_UPPER", "SAME_LOWER", "VALID"] {
            try Self.check(Case(input: [1, 2, 7, 8], outputChannels: 3, kernel: [4, 3], strides: [2, 3], autoPad: mode), seed: 6)
            try Self.check(Case(input: [1, 4, 6, 5], outputChannels: 4, kernel: [2, 2], group: 4, strides: [2, 1], autoPad: mode), seed: 7)
        }
    }

    @Test func oneAndThreeSpatialAxes() throws {
        try Self.check(Case(input: [2, 3, 11], outputChannels: 2, kernel: [4], strides: [2], pads: [1, 2]), seed: 8)
        try Self.check(Case(input: [1, 2, 5, 4, 6], outputChannels: 3, kernel: [2, 3, 2], strides: [1, 2, 2],
                            dilations: [2, 1, 1], pads: [1, 0, 1, 0, 1, 1]), seed: 9)
        try Self.check(Case(input: [1, 3, 4, 5, 6], outputChannels: 3, kernel: [3, 3, 3], group: 3, pads: [1, 1, 1, 1, 1, 1]), seed: 10)
    }

    @Test func pointwiseWithoutBias() throws {
        try Self.check(Case(input: [2, 5, 4, 6], outputChannels: 7, kernel: [1, 1], bias: false), seed: 11)
    }

    /// Large enough that the GEMM splits K (> 256) and M into several blocks.
    @Test func largeChannelCounts() throws {
        try Self.check(Case(input: [1, 40, 9, 10], outputChannels: 70, kernel: [3, 3], pads: [1, 1, 1, 1]), seed: 12, tolerance: 1e-3)
    }

    @Test func float64AndFloat16() throws {
        try Self.check(Case(input: [1, 2, 6, 5], outputChannels: 3, kernel: [3, 2], pads: [1, 0, 0, 1]), type: .float64, seed: 13,
                       tolerance: 1e-12)
        try Self.check(Case(input: [1, 2, 6, 5], outputChannels: 3, kernel: [3, 2], strides: [2, 1]), type: .float16, seed: 14,
                       tolerance: 1e-2)
    }

    /// The im2col matrix is built in slices of output positions when it would exceed the
    /// scratch budget; a tiny budget forces many slices.
    @Test func slicedIm2colMatchesUnsliced() throws {
        let c = Case(input: [1, 3, 9, 11], outputChannels: 5, kernel: [3, 2], strides: [1, 2], pads: [1, 1, 0, 1])
        var random = NeuralNetworkTestRandom(seed: 15)
        let x = random.floats(c.input.reduce(1, *)), w = random.floats(5 * 3 * 6), b = random.floats(5)
        let expected = Self.naive(c, x: x.map(Double.init), w: w.map(Double.init), b: b.map(Double.init))
        let geometry = WindowGeometry(
            inputSpatial: [9, 11], outputSpatial: Array(expected.shape[2...]), kernel: [3, 2], strides: [1, 2],
            dilations: [1, 1], padsBegin: [1, 1], padsEnd: [0, 1])
        var y = [Float](repeating: .nan, count: expected.values.count)
        y.withUnsafeMutableBufferPointer { output in
            ConvolutionDriver.forward(
                shape: .init(batch: 1, inputChannels: 3, outputChannels: 5, group: 1, geometry: geometry),
                input: x, weights: w, bias: b, output: output.baseAddress!, columnBudgetBytes: 100)
        }
        Support.expectClose(Tensor(shape: expected.shape, scalars: y), expected.values, shape: expected.shape)
    }

    @Test func convIntegerSubtractsZeroPoints() throws {
        var random = NeuralNetworkTestRandom(seed: 16)
        let xValues = (0..<(1 * 2 * 5 * 5)).map { _ in UInt8.random(in: 1...255, using: &random) }
        let wValues = (0..<(3 * 2 * 2 * 2)).map { _ in UInt8.random(in: 1...255, using: &random) }
        let wZero: [UInt8] = [7, 130, 255]
        let c = Case(input: [1, 2, 5, 5], outputChannels: 3, kernel: [2, 2], pads: [1, 0, 0, 1], bias: false)
        let x = xValues.map { Double($0) - 12 }
        let w = wValues.enumerated().map { Double($1) - Double(wZero[$0 / 8]) }
        let expected = Self.naive(c, x: x, w: w, b: nil)
        let y = try Support.run(
            "ConvInteger", opset: 10,
            inputs: [Tensor(shape: [1, 2, 5, 5], scalars: xValues), Tensor(shape: [3, 2, 2, 2], scalars: wValues),
                     Tensor(scalar: UInt8(12)), Tensor(shape: [3], scalars: wZero)],
            attributes: ["pads": .ints([1, 0, 0, 1])])[0]
        #expect(y.dataType == .int32)
        Support.expectClose(y, expected.values, shape: expected.shape, tolerance: 0)
    }

    @Test func badShapesAndAttributesThrow() {
        let x = Tensor(zeros: .float32, shape: [1, 4, 5, 5])
        func conv(_ w: [Int], _ attributes: [String: Attribute] = [:], bias: [Int]? = nil, input: Tensor? = nil) throws {
            _ = try Support.run("Conv", inputs: [input ?? x, Tensor(zeros: .float32, shape: w), bias.map { Tensor(zeros: .float32, shape: $0) }],
                                attributes: attributes)
        }
        Support.expectKernelError { try conv([2, 3, 3, 3]) }                          // channel mismatch
        Support.expectKernelError { try conv([3, 2, 3, 3], ["group": .int(3)]) }      // group does not divide C
        Support.expectKernelError { try conv([3, 1, 3, 3], ["group": .int(0)]) }
        Support.expectKernelError { try conv([2, 4, 3]) }                             // rank mismatch
        Support.expectKernelError { try conv([2, 4, 3, 3], bias: [3]) }               // bias size
        Support.expectKernelError { try conv([2, 4, 3, 3], ["kernel_shape": .ints([2, 2])]) }
        Support.expectKernelError { try conv([2, 4, 7, 3]) }                          // kernel larger than input
        Support.expectKernelError { try conv([2, 4, 3, 3], ["strides": .ints([1])]) }
        Support.expectKernelError { try conv([2, 4, 3, 3], ["auto_pad": .string("SAME")]) }
        Support.expectKernelError { try conv([2, 4, 3, 3], input: Tensor(zeros: .int32, shape: [1, 4, 5, 5])) }
        Support.expectKernelError { try conv([2, 4], input: Tensor(zeros: .float32, shape: [1, 4])) }
    }
}
