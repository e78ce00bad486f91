import Foundation
import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

@Suite struct ResizeTests {
    typealias Support = NeuralNetworkTestSupport

    struct Options {
        var mode = "nearest"
        var coordinate = "half_pixel"
        var nearest = "round_prefer_floor"
        var cubicA = -0.75
        var excludeOutside = false
        var extrapolation = 0.0
        var antialias = false
    }

    /// Per-axis sampling parameters of the naive resize.
    struct Axis {
        var scale: Double
        var output: Int
        var roi: (Double, Double) = (0, 1)
    }

    /// One output position of a 1-D resize, computed the way ONNX's reference describes it:
    /// map the coordinate back, take the kernel's n taps nearest to it in the edge-padded input
    /// (ties to the lower index), weight and sum.
    static func sample(_ data: [Double], at position: Int, _ axis: Axis, _ o: Options) -> Double {
        // ONNX leaves axes with scale 1, the same extent and the full roi untouched.
        if axis.scale == 1 && axis.output == data.count && axis.roi == (0, 1) { return data[position] }
        let length = Double(data.count), width = axis.scale * length, y = Double(position)
        var x: Double
        switch o.coordinate {
        case "align_corners": x = width == 1 ? 0 : y * (length - 1) / (width - 1)
        case "asymmetric": x = y / axis.scale
        case "tf_half_pixel_for_nn": x = (y + 0.5) / axis.scale
        case "pytorch_half_pixel": x = axis.output > 1 ? (y + 0.5) / axis.scale - 0.5 : 0
        case "half_pixel_symmetric":
            x = length / 2 * (1 - Double(axis.output) / width) + (y + 0.5) / axis.scale - 0.5
        case "tf_crop_and_resize":
            x = width == 1 ? (axis.roi.1 - axis.roi.0) * (length - 1) / 2 : y * (axis.roi.1 - axis.roi.0) * (length - 1) / (width - 1)
            x += axis.roi.0 * (length - 1)
            if x < 0 || x > length - 1 { return o.extrapolation }
        default: x = (y + 0.5) / axis.scale - 0.5
        }
        let ratio = x == x.rounded(.down) ? 1 : x - x.rounded(.down)
        var coefficients: [Double]
        let a = o.cubicA
        func cubic(_ t: Double) -> Double {
            let d = abs(t)
            if d <= 1 { return (a + 2) * d * d * d - (a + 3) * d * d + 1 }
            if d < 2 { return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a }
            return 0
        }
        switch o.mode {
        case "nearest":
            if ratio == 1 { coefficients = [0, 1] } else {
                switch o.nearest {
                case "round_prefer_ceil": coefficients = ratio < 0.5 ? [1, 0] : [0, 1]
                case "floor": coefficients = [1, 0]
                case "ceil": coefficients = [0, 1]
                default: coefficients = ratio <= 0.5 ? [1, 0] : [0, 1]
                }
            }
        case "linear":
            if o.antialias {
                let s = min(axis.scale, 1), start = Int((-1 / s).rounded(.down)) + 1
                coefficients = (start..<(2 - start)).map { max(0, 1 - abs((Double($0) - ratio) * s)) }
                let sum = coefficients.reduce(0, +)
                coefficients = coefficients.map { $0 / sum }
            } else {
                coefficients = [1 - ratio, ratio]
            }
        default:
            if o.antialias {
                let s = min(axis.scale, 1), start = Int((-2 / s).rounded(.down)) + 1
                coefficients = (start..<(2 - start)).map { cubic(s * (Double($0) - ratio)) }
                let sum = coefficients.reduce(0, +)
                coefficients = coefficients.map { $0 / sum }
            } else {
                coefficients = [cubic(ratio + 1), cubic(ratio), cubic(1 - ratio), cubic(2 - ratio)]
            }
        }
        let n = coefficients.count, pad = (n + 1) / 2
        let padded = Array(repeating: data[0], count: pad) + data + Array(repeating: data[data.count - 1], count: pad)
        // Distances from the unpadded coordinate, so rounding `x + pad` cannot move a tie.
        let chosen = padded.indices.sorted { (abs(x - Double($0 - pad)), $0) < (abs(x - Double($1 - pad)), $1) }
            .prefix(n).sorted()
        if o.excludeOutside {
            for (tap, index) in chosen.enumerated() where index - pad < 0 || index - pad >= data.count { coefficients[tap] = 0 }
            let sum = coefficients.reduce(0, +)
            coefficients = coefficients.map { $0 / sum }
        }
        return zip(coefficients, chosen).reduce(0) { $0 + $1.0 * padded[$1.1] }
    }

    /// N-D resize element by element: interpolate along the first axis between the
    /// recursively resized sub-tensors.
    static func naive(_ x: [Double], shape: [Int], axes: [Axis], _ o: Options) -> [Double] {
        if shape.count == 1 { return (0..<axes[0].output).map { sample(x, at: $0, axes[0], o) } }
        let inner = shape[1...].reduce(1, *)
        let slices = (0..<shape[0]).map {
            naive(Array(x[($0 * inner)..<(($0 + 1) * inner)]), shape: Array(shape[1...]), axes: Array(axes[1...]), o)
        }
        let outInner = slices[0].count
        var result: [Double] = []
        for position in 0..<axes[0].output {
            var block = [Double](repeating: 0, count: outInner)
            for j in 0..<outInner { block[j] = sample(slices.map { $0[j] }, at: position, axes[0], o) }
            result += block
        }
        return result
    }

    static func attributes(_ o: Options) -> [String: Attribute] {
        [
            "mode": .string(o.mode), "coordinate_transformation_mode": .string(o.coordinate), "nearest_mode": .string(o.nearest),
            "cubic_coeff_a": .float(Float(o.cubicA)), "exclude_outside": .int(o.excludeOutside ? 1 : 0),
            "extrapolation_value": .float(Float(o.extrapolation)), "antialias": .int(o.antialias ? 1 : 0),
        ]
    }

    /// Resizes seeded data by `scales` (or to `sizes`) and compares with the naive resize.
    static func check(
        shape: [Int], scales: [Float]? = nil, sizes: [Int]? = nil, roi: [Float]? = nil, _ o: Options, seed: UInt64,
        type: DataType = .float32
    ) throws {
        var random = NeuralNetworkTestRandom(seed: seed)
        let x = Tensor(dataType: type, shape: shape, doubles: random.values(shape.reduce(1, *)))
        var axes: [Axis] = []
        for axis in 0..<shape.count {
            if let scales {
                let scale = Double(scales[axis])
                axes.append(Axis(scale: scale, output: Int((scale * Double(shape[axis])).rounded(.down))))
            } else {
                axes.append(Axis(scale: Double(sizes![axis]) / Double(shape[axis]), output: sizes![axis]))
            }
            if let roi { axes[axis].roi = (Double(roi[axis]), Double(roi[shape.count + axis])) }
        }
        let expected = naive(x.doubles(), shape: shape, axes: axes, o)
        let y = try Support.run("Resize", opset: 19, inputs: [
            x, roi.map { Tensor(shape: [$0.count], scalars: $0) },
            scales.map { Tensor(shape: [$0.count], scalars: $0) },
            sizes.map { Tensor(shape: [$0.count], scalars: $0.map(Int64.init)) },
        ], attributes: attributes(o))[0]
        #expect(y.dataType == type)
        Support.expectClose(y, expected, shape: axes.map(\.output), tolerance: type == .float64 ? 1e-12 : 1e-5)
    }

    static let coordinateModes = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric"]

    @Test(arguments: ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
    func nearestEveryRoundingAndCoordinateMode(rounding: String) throws {
        for (number, coordinate) in Self.coordinateModes.enumerated() {
            let o = Options(mode: "nearest", coordinate: coordinate, nearest: rounding)
            try Self.check(shape: [1, 2, 4, 5], scales: [1, 1, 2.5, 1.6], o, seed: 200 + UInt64(number))
            try Self.check(shape: [1, 2, 7, 6], scales: [1, 1, 0.6, 0.5], o, seed: 210 + UInt64(number))
            try Self.check(shape: [2, 1, 3, 5], sizes: [2, 1, 7, 3], o, seed: 220 + UInt64(number))
        }
    }

    @Test(arguments: ["linear", "cubic"])
    func linearAndCubicEveryCoordinateMode(mode: String) throws {
        for (number, coordinate) in Self.coordinateModes.enumerated() {
            let o = Options(mode: mode, coordinate: coordinate)
            try Self.check(shape: [1, 2, 4, 5], scales: [1, 1, 2.5, 1.6], o, seed: 230 + UInt64(number))
            try Self.check(shape: [1, 1, 8, 7], scales: [1, 1, 0.6, 0.5], o, seed: 240 + UInt64(number))
            try Self.check(shape: [1, 2, 3, 5], sizes: [1, 2, 7, 1], o, seed: 250 + UInt64(number), type: .float64)
        }
    }

    @Test func tfHalfPixelForNearestOfOpset11() throws {
        for rounding in ["round_prefer_floor", "ceil"] {
            let o = Options(mode: "nearest", coordinate: "tf_half_pixel_for_nn", nearest: rounding)
            try Self.check(shape: [1, 2, 5, 3], scales: [1, 1, 1.6, 2.5], o, seed: 265)
        }
    }

    /// A NaN region of interest or an empty output must give values or an empty tensor, not a trap.
    @Test func degenerateRequestsDoNotTrap() throws {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [Float(1), 2, 3, 4])
        let roi = Tensor(shape: [8], scalars: [Float(0), 0, .nan, 0, 1, 1, 1, 1])
        let y = try Support.run("Resize", opset: 13, inputs: [x, roi, nil, Tensor(shape: [4], scalars: [Int64(1), 1, 3, 3])],
                                attributes: ["mode": .string("linear"), "coordinate_transformation_mode": .string("tf_crop_and_resize")])[0]
        #expect(y.shape == [1, 1, 3, 3])
        let empty = try Support.run("Resize", opset: 18, inputs: [x, nil, nil, Tensor(shape: [4], scalars: [Int64(1), 1, 0, 3])],
                                    attributes: ["mode": .string("cubic"), "antialias": .int(1)])[0]
        #expect(empty.shape == [1, 1, 0, 3])
    }

    @Test func cubicCoefficientExcludeOutsideAndAntialias() throws {
        try Self.check(shape: [1, 1, 5, 6], scales: [1, 1, 1.7, 0.8], Options(mode: "cubic", cubicA: -0.5, excludeOutside: true), seed: 260)
        try Self.check(shape: [1, 1, 9, 10], scales: [1, 1, 0.6, 0.3], Options(mode: "linear", antialias: true), seed: 261)
        try Self.check(shape: [1, 1, 9, 10], sizes: [1, 1, 4, 3], Options(mode: "cubic", antialias: true), seed: 262)
        try Self.check(shape: [1, 1, 4, 4], scales: [1, 1, 2, 1.5], Options(mode: "linear", antialias: true), seed: 263)
    }

    @Test func tfCropAndResizeWithExtrapolation() throws {
        for mode in ["nearest", "linear", "cubic"] {
            let o = Options(mode: mode, coordinate: "tf_crop_and_resize", extrapolation: 7.5)
            try Self.check(shape: [1, 1, 4, 5], sizes: [1, 1, 3, 6], roi: [0, 0, 0.4, -0.3, 1, 1, 1.2, 0.7], o, seed: 270)
            try Self.check(shape: [1, 2, 5, 4], scales: [1, 1, 0.8, 1.5], roi: [0, 0, 0.2, 0.1, 1, 1, 0.9, 0.6], o, seed: 271)
        }
    }

    @Test func threeResizedAxesAndIntegerTypes() throws {
        try Self.check(shape: [1, 3, 4, 2], scales: [1, 1.5, 0.75, 2], Options(mode: "linear"), seed: 280)
        try Self.check(shape: [2, 3, 4], sizes: [3, 5, 2], Options(mode: "cubic", coordinate: "align_corners"), seed: 281)
        // Integers interpolate exactly and round half to even; nearest copies the bits.
        let x = Tensor(shape: [1, 4], scalars: [Int32(0), 3, 10, -7])
        let linear = try Support.run("Resize", opset: 13, inputs: [x, nil, Tensor(shape: [2], scalars: [Float(1), 2])],
                                     attributes: ["mode": .string("linear")])[0]
        // half_pixel ×2: positions −0.25, 0.25, 0.75, … → 0, 0.75, 2.25, 4.75, 8.25, 6.75→ ... rounded.
        let expected = Self.naive([0, 3, 10, -7], shape: [1, 4], axes: [Axis(scale: 1, output: 1), Axis(scale: 2, output: 8)], Options(mode: "linear"))
        #expect(linear.scalars(as: Int32.self) == expected.map { Int32($0.rounded(.toNearestOrEven)) })
        let bytes = Tensor(shape: [1, 3], scalars: [UInt8(1), 200, 255])
        let nearest = try Support.run("Resize", opset: 13, inputs: [bytes, nil, nil, Tensor(shape: [2], scalars: [Int64(2), 5])])[0]
        #expect(nearest.scalars(as: UInt8.self) == [1, 1, 200, 255, 255, 1, 1, 200, 255, 255])
    }

    @Test func axesAndAspectRatioPolicies() throws {
        var random = NeuralNetworkTestRandom(seed: 290)
        let values = random.values(2 * 3 * 4 * 6)
        let x = Tensor(shape: [2, 3, 4, 6], scalars: values)
        let o = Options(mode: "linear", coordinate: "half_pixel")
        let full = try Support.run("Resize", opset: 19, inputs: [x, nil, nil, Tensor(shape: [4], scalars: [Int64(2), 3, 6, 3])],
                                   attributes: Self.attributes(o))[0]
        // axes [3, 2] (and negative spellings) with permuted sizes select the same resize.
        for axes in [[3, 2], [-1, -2]] {
            let y = try Support.run("Resize", opset: 19, inputs: [x, nil, nil, Tensor(shape: [2], scalars: [Int64(3), 6])],
                                    attributes: Self.attributes(o).merging(["axes": .ints(axes)]) { $1 })[0]
            #expect(y.shape == [2, 3, 6, 3])
            #expect(y.doubles() == full.doubles())
        }
        // not_larger: scale min(10/4, 9/6) = 1.5 → [6, 9]; not_smaller: max = 2.5 → [10, 15].
        for (policy, scale, output) in [("not_larger", 1.5, [6, 9]), ("not_smaller", 2.5, [10, 15])] {
            let y = try Support.run("Resize", opset: 19, inputs: [x, nil, nil, Tensor(shape: [2], scalars: [Int64(10), 9])],
                                    attributes: Self.attributes(o).merging(["axes": .ints([2, 3]), "keep_aspect_ratio_policy": .string(policy)]) { $1 })[0]
            let expected = Self.naive(values, shape: [2, 3, 4, 6], axes: [
                Axis(scale: 1, output: 2), Axis(scale: 1, output: 3), Axis(scale: scale, output: output[0]), Axis(scale: scale, output: output[1]),
            ], o)
            Support.expectClose(y, expected, shape: [2, 3] + output, tolerance: 1e-12)
        }
    }

    /// Resize-10 and Upsample: asymmetric, nearest floors when enlarging and ceils when shrinking.
    @Test func legacyResizeAndUpsample() throws {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [Float(1), 2, 3, 4])
        let scales = Tensor(shape: [4], scalars: [Float(1), 1, 2, 3])
        let repeated: [Double] = [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]
        Support.expectClose(try Support.run("Upsample", opset: 9, inputs: [x, scales])[0], repeated, shape: [1, 1, 4, 6], tolerance: 0)
        Support.expectClose(try Support.run("Upsample", opset: 7, inputs: [x], attributes: ["scales": .floats([1, 1, 2, 3])])[0],
                            repeated, shape: [1, 1, 4, 6], tolerance: 0)
        Support.expectClose(try Support.run("Resize", opset: 10, inputs: [x, scales])[0], repeated, shape: [1, 1, 4, 6], tolerance: 0)
        let linear = try Support.run("Upsample", opset: 9, inputs: [x, Tensor(shape: [4], scalars: [Float(1), 1, 2, 2])],
                                     attributes: ["mode": .string("linear")])[0]
        Support.expectClose(linear, [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4], shape: [1, 1, 4, 4], tolerance: 0)
        let wide = Tensor(shape: [1, 1, 2, 4], scalars: [Float(1), 2, 3, 4, 5, 6, 7, 8])
        let shrunk = try Support.run("Resize", opset: 10, inputs: [wide, Tensor(shape: [4], scalars: [Float(1), 1, 0.6, 0.6])])[0]
        Support.expectClose(shrunk, [1, 3], shape: [1, 1, 1, 2], tolerance: 0)
    }

    @Test func badInputsThrow() {
        let x = Tensor(zeros: .float32, shape: [1, 1, 2, 2])
        let scales = Tensor(shape: [4], scalars: [Float(1), 1, 2, 2]), sizes = Tensor(shape: [4], scalars: [Int64(1), 1, 4, 4])
        Support.expectKernelError { _ = try Support.run("Resize", opset: 13, inputs: [x, nil, scales, sizes]) }
        Support.expectKernelError { _ = try Support.run("Resize", opset: 13, inputs: [x]) }
        Support.expectKernelError { _ = try Support.run("Resize", opset: 13, inputs: [x, nil, Tensor(shape: [2], scalars: [Float(2), 2])]) }
        Support.expectKernelError { _ = try Support.run("Resize", opset: 13, inputs: [x, nil, scales], attributes: ["mode": .string("area")]) }
        Support.expectKernelError {
            _ = try Support.run("Resize", opset: 13, inputs: [x, nil, scales], attributes: ["coordinate_transformation_mode": .string("tf_crop_and_resize")])
        }
        Support.expectKernelError { _ = try Support.run("Resize", opset: 13, inputs: [x, nil, Tensor(shape: [4], scalars: [Float(1), 1, -2, 2])]) }
        Support.expectKernelError { _ = try Support.run("Resize", opset: 19, inputs: [x, nil, nil, sizes], attributes: ["axes": .ints([2, 2, 3, 3])]) }
        Support.expectKernelError { _ = try Support.run("Upsample", opset: 9, inputs: [x, Tensor(shape: [4], scalars: [Float(1), 1, 0.5, 2])]) }
    }
}
