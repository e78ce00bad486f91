import SwitchyardTensor

/// Symmetric int8 weights (zero point 0, values in −limit…limit) with one scale per slice along
/// `axis` (per channel) or one for the whole tensor; int32 biases at input scale × weight scale.
enum WeightQuantization {
    struct Quantized {
        var values: Tensor
        /// One per channel along `axis`, or a single scale.
        var scales: [Float]
    }

    /// `tensor` (float32) quantized per slice along `axis`, or per tensor when `axis` is nil, to
    /// values within ±`range.limit`, each scale at least its `minimumScales` entry (one per
    /// channel, or one; see `smallestScalesFitting`).
    static func quantize(_ tensor: Tensor, axis: Int?, range: WeightRange = .full, minimumScales: [Float]? = nil) -> Quantized {
        let limit = Float(range.limit)
        let values = tensor.floats()
        let channels = axis.map { tensor.shape[$0] } ?? 1
        let inner = axis.map { tensor.shape[($0 + 1)...].reduce(1, *) } ?? values.count
        // Index of the channel owning flat element i: (i / inner) % channels.
        var largest = [Float](repeating: 0, count: channels)
        for (index, value) in values.enumerated() {
            let channel = (index / inner) % channels
            largest[channel] = max(largest[channel], abs(value))
        }
        // A channel whose weights are all subnormal (PP-OCRv4 rec has some after BatchNorm folding:
        // largest 8e-40) quantizes to zeros at scale 1, as an all-zero one does. Its own scale
        // (6.6e-42) would put its bias, at input scale × weight scale, beyond int32, and keep the
        // whole layer out of int8.
        var scales = largest.map { $0 >= Float.leastNormalMagnitude && $0.isFinite ? $0 / limit : 1 }
        if let minimumScales {
            let floors = minimumScales.count == channels ? minimumScales : [minimumScales.max() ?? 0]
            scales = zip(scales, floors).map { max($0, $1) }
        }
        let quantized = values.enumerated().map { index, value -> Int8 in
            let q = (value / scales[(index / inner) % channels]).rounded(.toNearestOrEven)
            return Int8(min(max(q, -limit), limit))
        }
        return Quantized(values: Tensor(shape: tensor.shape, scalars: quantized), scales: scales)
    }

    /// The smallest weight scale per channel at which `bias` still fits int32 at scale
    /// `inputScale × weight scale`, with 2× headroom. A channel whose weights are nearly zero (dead
    /// channels after BatchNorm folding: largest 1e-38 … 1e-15 in PP-OCRv4 rec) would otherwise get
    /// a scale so small that its bias overflows and the whole layer stays out of int8; at this
    /// floor its weights round to zero, an error far below the bias it adds.
    static func smallestScalesFitting(_ bias: Tensor, inputScale: Float) -> [Float] {
        bias.floats().map { 2 * abs($0) / (inputScale * Float(Int32.max)) }
    }

    /// `bias` as int32 at scale `inputScale × weightScales[c]`, or nil when a value would not fit.
    static func quantizeBias(_ bias: Tensor, inputScale: Float, weightScales: [Float]) -> (values: Tensor, scales: [Float])? {
        let values = bias.floats()
        let scales = values.indices.map { inputScale * weightScales[weightScales.count == 1 ? 0 : $0] }
        var quantized: [Int32] = []
        quantized.reserveCapacity(values.count)
        for (value, scale) in zip(values, scales) {
            let q = (Double(value) / Double(scale)).rounded(.toNearestOrEven)
            guard scale > 0, q.isFinite, abs(q) <= Double(Int32.max) else { return nil }
            quantized.append(Int32(q))
        }
        return (Tensor(shape: bias.shape, scalars: quantized), scales)
    }
}
