import SwitchyardTensor

/// ONNX `GroupNormalization`: X `[N, C, D1 …]` is split into `num_groups` groups of channels,
/// each standardized per instance, then scaled and shifted per channel.
///
/// Opset 21 takes `scale` and `bias` per channel (`C` elements). Opset 18 specified them per
/// group (`num_groups` elements); a model that gives `C` elements under opset 18 (as exporters
/// following the corrected definition do) is applied per channel rather than rejected.
/// `stash_type` (opset 21) must name a floating-point type; statistics are always accumulated
/// in double.
enum GroupNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "GroupNormalization"
        let x = try context.input(0)
        let scale = try context.input(1)
        let bias = try context.input(2)
        try NormalizationMath.requireFloatingPoint(x, op, "X")
        try NormalizationMath.requireFloatingPoint(scale, op, "scale")
        try NormalizationMath.requireFloatingPoint(bias, op, "bias")
        guard x.rank >= 2 else { throw .invalidArgument("\(op): X must have rank ≥ 2 (N x C x D1 ...), got shape \(x.shape)") }
        guard let groups = try context.int("num_groups") else {
            throw .invalidArgument("\(op): attribute num_groups is required")
        }
        let channels = x.shape[1]
        guard groups > 0 && channels % groups == 0 else {
            throw .invalidArgument("\(op): num_groups \(groups) must be positive and divide the channel count \(channels)")
        }
        let stashCode = try context.int("stash_type", default: 1)
        guard let stashType = DataType(rawValue: Int32(clamping: stashCode)), stashType.isFloatingPoint else {
            throw .invalidArgument("\(op): stash_type \(stashCode) is not a floating-point type code (1 = float)")
        }
        let epsilon = Double(try context.float("epsilon", default: 1e-5))

        let perGroup = context.opset < 21 && scale.count == groups && bias.count == groups
        let expected = perGroup ? groups : channels
        try NormalizationMath.requireCount(scale, expected, op, "scale", expected: perGroup ? "num_groups" : "C")
        try NormalizationMath.requireCount(bias, expected, op, "bias", expected: perGroup ? "num_groups" : "C")
        var channelScale = scale.doubles(), channelBias = bias.doubles()
        if perGroup {
            let channelsPerGroup = channels / groups
            channelScale = (0..<channels).map { channelScale[$0 / channelsPerGroup] }
            channelBias = (0..<channels).map { channelBias[$0 / channelsPerGroup] }
        }
        return [normalize(x, groups: groups, scale: channelScale, bias: channelBias, epsilon: epsilon)]
    }

    /// Standardizes each (instance, group of channels) of X `[N, C, D1 …]`, then applies
    /// `scale[c]` and `bias[c]` per channel. Shared with `InstanceNormalization` (groups = C).
    static func normalize(_ x: Tensor, groups: Int, scale: [Double], bias: [Double], epsilon: Double) -> Tensor {
        let batch = x.shape[0], channels = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        return NormalizationMath.mapFloatingPoint(
            x,
            float: { apply($0, $1, batch: batch, channels: channels, groups: groups, inner: inner,
                           scale: scale, bias: bias, epsilon: epsilon) },
            double: { apply($0, $1, batch: batch, channels: channels, groups: groups, inner: inner,
                            scale: scale, bias: bias, epsilon: epsilon) })
    }

    private static func apply<T: BinaryFloatingPoint>(
        _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>, batch: Int, channels: Int,
        groups: Int, inner: Int, scale: [Double], bias: [Double], epsilon: Double
    ) {
        let channelsPerGroup = channels / groups
        let rows = batch * groups, cols = channelsPerGroup * inner
        let statistics = NormalizationMath.rowStatistics(x, rows: rows, cols: cols, epsilon: epsilon)
        for row in 0..<rows {
            let firstChannel = (row % groups) * channelsPerGroup
            for member in 0..<channelsPerGroup {
                let channel = firstChannel + member
                let multiplier = scale[channel] * statistics.invStdDev[row]
                let a = T(multiplier), b = T(bias[channel] - statistics.mean[row] * multiplier)
                let base = row * cols + member * inner
                for index in base..<(base + inner) { y[index] = x[index] * a + b }
            }
        }
    }
}
