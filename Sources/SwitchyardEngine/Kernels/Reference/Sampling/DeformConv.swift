import SwitchyardTensor

/// ONNX `DeformConv` (opsets 19, 22): a grouped convolution whose kernel taps are displaced by
/// the learned `offset` (`[N, offset_group · ∏kernel · r, *output]`) and optionally scaled by
/// `mask` (`[N, offset_group · ∏kernel, *output]`). Displaced taps are read by bilinear
/// interpolation with zeros outside X, as the reference does through `GridSample`.
enum DeformConv {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "DeformConv"
        let x = try context.input(0), w = try context.input(1), offsetTensor = try context.input(2)
        let values = try FloatingValues.read(x, op: op, input: "X")
        let weights = try FloatingValues.read(w, op: op, input: "W")
        let offsets = try FloatingValues.read(offsetTensor, op: op, input: "offset")
        let r = x.rank - 2
        guard r >= 1, w.rank == x.rank, offsetTensor.rank == x.rank, offsetTensor.shape[0] == x.shape[0] else {
            throw .invalidArgument("\(op): X \(x.shape), W \(w.shape) and offset \(offsetTensor.shape) must all be [N, C, *spatial]")
        }
        let (batch, inChannels, outChannels) = (x.shape[0], x.shape[1], w.shape[0])
        let group = try context.int("group", default: 1), offsetGroup = try context.int("offset_group", default: 1)
        let kernel = try context.ints("kernel_shape") ?? Array(w.shape[2...])
        let dilations = try context.ints("dilations") ?? [Int](repeating: 1, count: r)
        let strides = try context.ints("strides") ?? [Int](repeating: 1, count: r)
        let pads = try context.ints("pads") ?? [Int](repeating: 0, count: 2 * r)
        guard group > 0, offsetGroup > 0, inChannels == w.shape[1] * group, outChannels % group == 0,
              inChannels % offsetGroup == 0, kernel == Array(w.shape[2...]),
              dilations.count == r, strides.count == r, pads.count == 2 * r,
              dilations.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw .invalidArgument("\(op): X \(x.shape), W \(w.shape), group \(group), offset_group \(offsetGroup), kernel \(kernel), dilations, strides or pads are inconsistent")
        }
        let input = Array(x.shape[2...]), output = Array(offsetTensor.shape[2...])
        let expected = (0..<r).map { (i: Int) -> Int in
            let span: Int = (kernel[i] - 1) * dilations[i] + 1
            let padded: Int = input[i] + pads[i] + pads[i + r]
            return (padded - span) / strides[i] + 1
        }
        let taps = kernel.reduce(1, *), outputSize = output.reduce(1, *), inputSize = input.reduce(1, *)
        guard output == expected, offsetTensor.shape[1] == offsetGroup * taps * r else {
            throw .invalidArgument("\(op): offset \(offsetTensor.shape) must be [\(batch), \(offsetGroup * taps * r), \(expected.map(String.init).joined(separator: ", "))]")
        }
        var masks: [Double]?
        if let mask = context.optionalInput(4) {
            guard mask.shape == [batch, offsetGroup * taps] + output else {
                throw .invalidArgument("\(op): mask must be \([batch, offsetGroup * taps] + output), got \(mask.shape)")
            }
            masks = try FloatingValues.read(mask, op: op, input: "mask")
        }
        var bias = [Double](repeating: 0, count: outChannels)
        if let b = context.optionalInput(3) {
            guard b.shape == [outChannels] else { throw .invalidArgument("\(op): B must be [\(outChannels)], got \(b.shape)") }
            bias = try FloatingValues.read(b, op: op, input: "B")
        }

        let sampler = AxisSampler(mode: .linear, padding: .zeros, alignCorners: true)
        let inputStrides = ShapeMath.strides(input), kernelStrides = ShapeMath.strides(kernel)
        let outputStrides = ShapeMath.strides(output)
        let (inPerGroup, outPerGroup, inPerOffsetGroup) = (inChannels / group, outChannels / group, inChannels / offsetGroup)
        var result = [Double](repeating: 0, count: batch * outChannels * outputSize)
        for n in 0..<batch {
            for oc in 0..<outChannels {
                for o in 0..<outputSize { result[(n * outChannels + oc) * outputSize + o] = bias[oc] }
            }
            // columns[(ic · taps + tap) · outputSize + o]: the displaced, masked input values.
            var columns = [Double](repeating: 0, count: inChannels * taps * outputSize)
            for g in 0..<offsetGroup {
                for tap in 0..<taps {
                    for o in 0..<outputSize {
                        let tapAxes = (0..<r).map { axis in
                            let k = (tap / kernelStrides[axis]) % kernel[axis]
                            let out = (o / outputStrides[axis]) % output[axis]
                            let shift = offsets[((((n * offsetGroup + g) * taps + tap) * r + axis) * outputSize) + o]
                            let position = Double(out * strides[axis] - pads[axis] + k * dilations[axis]) + shift
                            return sampler.taps(position: position, length: input[axis])
                        }
                        let scale = masks?[((n * offsetGroup + g) * taps + tap) * outputSize + o] ?? 1
                        for ic in (g * inPerOffsetGroup)..<((g + 1) * inPerOffsetGroup) {
                            let value = GridSample.interpolate(
                                tapAxes, axis: 0, offset: (n * inChannels + ic) * inputSize, strides: inputStrides, values: values)
                            columns[(ic * taps + tap) * outputSize + o] = value * scale
                        }
                    }
                }
            }
            for oc in 0..<outChannels {
                let firstInput = (oc / outPerGroup) * inPerGroup
                let target = (n * outChannels + oc) * outputSize
                for icInGroup in 0..<inPerGroup {
                    for tap in 0..<taps {
                        let weight = weights[(oc * inPerGroup + icInGroup) * taps + tap]
                        let column = ((firstInput + icInGroup) * taps + tap) * outputSize
                        for o in 0..<outputSize { result[target + o] += weight * columns[column + o] }
                    }
                }
            }
        }
        return [Tensor(dataType: x.dataType, shape: [batch, outChannels] + output, doubles: result)]
    }
}
