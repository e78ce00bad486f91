import SwitchyardGraph
import SwitchyardTensor

extension ShapeRules {
    static let convolution: [String: ShapeRule] = [
        "Conv": convolutionShape,
        "ConvTranspose": convTransposeShape,
        "MaxPool": poolShape,
        "AveragePool": poolShape,
        "LpPool": poolShape,
        "GlobalAveragePool": globalPoolShape,
        "GlobalMaxPool": globalPoolShape,
        "GlobalLpPool": globalPoolShape,
        "Resize": resizeShape,
        "MatMul": matMulShape,
        "Gemm": gemmShape,
    ]

    /// Spatial output size of a sliding window; `nil` when the input size is not fixed.
    static func windowOutput(
        _ input: Dimension, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
        autoPad: String, ceilMode: Bool
    ) -> Dimension {
        guard let size = input.fixedValue, stride > 0 else {
            // A 1x1 window with stride 1 and no padding keeps even a symbolic size.
            if kernel == 1 && stride == 1 && padBegin == 0 && padEnd == 0 { return input }
            return .unknown
        }
        let effective = (kernel - 1) * dilation + 1
        switch autoPad {
        case "SAME_UPPER", "SAME_LOWER": return .fixed((size + stride - 1) / stride)
        case "VALID": return .fixed(Swift.max(0, (size - effective) / stride + 1))
        default:
            let span = size + padBegin + padEnd - effective
            guard span >= 0 else { return .unknown }
            if !ceilMode { return .fixed(span / stride + 1) }
            var output = (span + stride - 1) / stride + 1
            // The last window must start inside the input or its leading padding.
            if (output - 1) * stride >= size + padBegin { output -= 1 }
            return .fixed(output)
        }
    }

    /// Output spatial dims for Conv and the pools, from `kernel` sizes.
    static func slidingSpatial(_ context: InferenceContext, input: [Dimension], kernel: [Int], ceilMode: Bool) -> [Dimension] {
        let spatial = Array(input.dropFirst(2))
        let count = spatial.count
        let strides = context.ints("strides") ?? Array(repeating: 1, count: count)
        let dilations = context.ints("dilations") ?? Array(repeating: 1, count: count)
        let pads = context.ints("pads") ?? Array(repeating: 0, count: 2 * count)
        let autoPad = context.string("auto_pad") ?? "NOTSET"
        guard kernel.count == count, strides.count == count, dilations.count == count, pads.count == 2 * count else {
            return Array(repeating: .unknown, count: count)
        }
        return (0..<count).map { axis in
            windowOutput(spatial[axis], kernel: kernel[axis], stride: strides[axis], dilation: dilations[axis],
                         padBegin: pads[axis], padEnd: pads[axis + count], autoPad: autoPad, ceilMode: ceilMode)
        }
    }

    static func convolutionShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), x.count >= 3 else {
            // The rank still follows from the weights.
            if let w = context.shape(1) {
                return [ValueFact(dataType: dataType, shape: [.unknown, w[0]] + Array(repeating: .unknown, count: w.count - 2))]
            }
            return [ValueFact(dataType: dataType)]
        }
        let w = context.shape(1)
        let kernel = context.ints("kernel_shape") ?? w.flatMap { shape in
            let sizes = shape.dropFirst(2).compactMap(\.fixedValue)
            return sizes.count == shape.count - 2 ? sizes : nil
        }
        let channels = w?.first ?? .unknown
        guard let kernel else {
            return [ValueFact(dataType: dataType, shape: [x[0], channels] + Array(repeating: .unknown, count: x.count - 2))]
        }
        return [ValueFact(dataType: dataType, shape: [x[0], channels] + slidingSpatial(context, input: x, kernel: kernel, ceilMode: false))]
    }

    static func convTransposeShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), x.count >= 3, let w = context.shape(1), w.count == x.count else {
            return [ValueFact(dataType: dataType)]
        }
        let count = x.count - 2
        let group = context.int("group", default: 1)
        let channels = DimensionMath.multiply(w[1], .fixed(group))
        if let outputShape = context.ints("output_shape"), outputShape.count == count {
            return [ValueFact(dataType: dataType, shape: [x[0], channels] + outputShape.map(Dimension.fixed))]
        }
        let kernel = context.ints("kernel_shape") ?? w.dropFirst(2).compactMap(\.fixedValue)
        let strides = context.ints("strides") ?? Array(repeating: 1, count: count)
        let dilations = context.ints("dilations") ?? Array(repeating: 1, count: count)
        let pads = context.ints("pads") ?? Array(repeating: 0, count: 2 * count)
        let outputPadding = context.ints("output_padding") ?? Array(repeating: 0, count: count)
        let autoPad = context.string("auto_pad") ?? "NOTSET"
        guard kernel.count == count, strides.count == count, dilations.count == count,
              pads.count == 2 * count, outputPadding.count == count else {
            return [ValueFact(dataType: dataType, shape: [x[0], channels] + Array(repeating: .unknown, count: count))]
        }
        let spatial: [Dimension] = (0..<count).map { axis in
            guard let size = x[axis + 2].fixedValue else { return .unknown }
            if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" { return .fixed(size * strides[axis]) }
            let explicitPads = autoPad == "VALID" ? 0 : pads[axis] + pads[axis + count]
            return .fixed(strides[axis] * (size - 1) + outputPadding[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - explicitPads)
        }
        return [ValueFact(dataType: dataType, shape: [x[0], channels] + spatial)]
    }

    static func poolShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), x.count >= 3, let kernel = context.ints("kernel_shape") else {
            return [ValueFact(dataType: dataType), ValueFact(dataType: .int64)]
        }
        let spatial = slidingSpatial(context, input: x, kernel: kernel, ceilMode: context.int("ceil_mode", default: 0) != 0)
        let shape = [x[0], x[1]] + spatial
        return [ValueFact(dataType: dataType, shape: shape), ValueFact(dataType: .int64, shape: shape)]
    }

    static func globalPoolShape(_ context: InferenceContext) -> [ValueFact] {
        guard let x = context.shape(0), x.count >= 2 else { return [ValueFact(dataType: context.dataType(0))] }
        return [ValueFact(dataType: context.dataType(0), shape: [x[0], x[1]] + Array(repeating: .fixed(1), count: x.count - 2))]
    }

    static func resizeShape(_ context: InferenceContext) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0) else { return [ValueFact(dataType: dataType)] }
        let unknown = [ValueFact(dataType: dataType, shape: Array(repeating: .unknown, count: x.count))]
        if context.node.attributes["axes"] != nil { return unknown }
        let scalesIndex = context.opset >= 11 ? 2 : 1
        if context.opset >= 11, context.isPresent(3) {
            guard let sizes = context.ints(ofInput: 3), sizes.count == x.count,
                  (context.string("keep_aspect_ratio_policy") ?? "stretch") == "stretch" else { return unknown }
            return [ValueFact(dataType: dataType, shape: sizes.map(Dimension.fixed))]
        }
        guard context.isPresent(scalesIndex), let scalesTensor = context.input(scalesIndex)?.constant,
              scalesTensor.count == x.count else { return unknown }
        let shape: [Dimension] = zip(x, scalesTensor.floats()).map { dimension, scale in
            if scale == 1 { return dimension }
            guard let size = dimension.fixedValue else { return .unknown }
            return .fixed(Int((Double(size) * Double(scale)).rounded(.down)))
        }
        return [ValueFact(dataType: dataType, shape: shape)]
    }
}
