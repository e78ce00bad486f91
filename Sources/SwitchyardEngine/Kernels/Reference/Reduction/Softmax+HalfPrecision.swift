import SwitchyardTensor

extension Softmax {
    /// Softmax of a float16 or bfloat16 tensor with every step rounded to that type, as a
    /// half-precision computation (and ONNX's NumPy reference) does: `x − max`, `exp`, the sum
    /// and the quotient are each rounded. float16 sums accumulate in float32 and round once
    /// (NumPy's half reduction); bfloat16 sums round after each addition (its ufunc has no float
    /// accumulator). Computing in float32 and rounding only the result differs from the
    /// reference by a unit in the last place on some elements.
    func halfPrecisionSoftmax(_ x: Tensor, outer: Int, length: Int, inner: Int) -> Tensor {
        let round: (Float) -> Float = x.dataType == .float16
            ? { Float(Float16($0)) }
            : { BFloat16($0).floatValue }
        let roundsEachAddition = x.dataType == .bfloat16
        let input = x.floats()
        var output = [Float](repeating: 0, count: input.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var maximum = input[base]
                for k in 1..<max(length, 1) {
                    let value = input[base + k * inner]
                    if value > maximum || value.isNaN { maximum = value }
                }
                var sum: Float = 0
                for k in 0..<length {
                    let e = round(Float.exp(round(input[base + k * inner] - maximum)))
                    output[base + k * inner] = e
                    sum = roundsEachAddition ? round(sum + e) : sum + e
                }
                sum = round(sum)
                for k in 0..<length { output[base + k * inner] = round(output[base + k * inner] / sum) }
            }
        }
        return Tensor(dataType: x.dataType, shape: x.shape, doubles: output.map(Double.init))
    }
}
