import SwitchyardTensor

/// A direct, loop-by-loop N-D grouped convolution used as an independent oracle for the oneDNN
/// convolution (on top of the comparison with the reference kernel).
enum NaiveConvolution {
    static func conv(x: Tensor, w: Tensor, bias: Tensor?, group: Int, strides: [Int], dilations: [Int],
                     padBegin: [Int], outputSpatial: [Int]) -> Tensor {
        let xs = x.shape, ws = w.shape
        let spatialRank = xs.count - 2
        let (batch, channels, outChannels) = (xs[0], xs[1], ws[0])
        let inPerGroup = channels / group, outPerGroup = outChannels / group
        let xv = x.scalars(as: Float.self), wv = w.scalars(as: Float.self)
        let bv = bias?.scalars(as: Float.self)
        let inSpatial = Array(xs.dropFirst(2)), kernel = Array(ws.dropFirst(2))
        let outCount = outputSpatial.reduce(1, *), kernelCount = kernel.reduce(1, *), inCount = inSpatial.reduce(1, *)
        var result = [Float](repeating: 0, count: batch * outChannels * outCount)
        func coordinates(_ linear: Int, _ shape: [Int]) -> [Int] {
            var rest = linear
            var coords = [Int](repeating: 0, count: shape.count)
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                coords[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            return coords
        }
        for n in 0..<batch {
            for m in 0..<outChannels {
                let g = m / outPerGroup
                for o in 0..<outCount {
                    let oc = coordinates(o, outputSpatial)
                    var sum: Double = bv.map { Double($0[m]) } ?? 0
                    for c in 0..<inPerGroup {
                        for k in 0..<kernelCount {
                            let kc = coordinates(k, kernel)
                            var offset = 0
                            var inside = true
                            for axis in 0..<spatialRank {
                                let position = oc[axis] * strides[axis] - padBegin[axis] + kc[axis] * dilations[axis]
                                if position < 0 || position >= inSpatial[axis] { inside = false; break }
                                offset = offset * inSpatial[axis] + position
                            }
                            guard inside else { continue }
                            let xi = (n * channels + g * inPerGroup + c) * inCount + offset
                            let wi = (m * inPerGroup + c) * kernelCount + k
                            sum += Double(xv[xi]) * Double(wv[wi])
                        }
                    }
                    result[(n * outChannels + m) * outCount + o] = Float(sum)
                }
            }
        }
        return Tensor(shape: [batch, outChannels] + outputSpatial, scalars: result)
    }
}
