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
    /// values within ±`range.limit`.
    static func quantize(_ tensor: Tensor, axis: Int?, range: WeightRange = .full) -> Quantized {
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
        let scales = largest.map { $0 > 0 && $0.isFinite ? $0 / limit : 1 }
        let quantized = values.enumerated().map { index, value -> Int8 in
            let q = (value / scales[(index / inner) % channels]).rounded(.toNearestOrEven)
            return Int8(min(max(q, -limit), limit))
        }
        return Quantized(values: Tensor(shape: tensor.shape, scalars: quantized), scales: scales)
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
