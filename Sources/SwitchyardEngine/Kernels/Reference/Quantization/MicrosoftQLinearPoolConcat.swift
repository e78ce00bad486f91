import SwitchyardTensor

/// QLinearGlobalAveragePool and QLinearConcat of the `com.microsoft` domain.
enum MicrosoftQLinearPoolConcat {
    /// QLinearGlobalAveragePool: inputs `X, x_scale, x_zero_point, y_scale, y_zero_point`;
    /// averages each channel over all spatial positions. `channels_last` = 1 reads and writes
    /// `[N, spatial…, C]`; otherwise `[N, C, spatial…]`. The spatial axes become 1.
    static func globalAveragePool(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let xData = try context.input(0)
        try QuantizedOperand.requireEightBit(xData, op: op, name: "X")
        guard xData.rank >= 3 else {
            throw KernelError.invalidArgument("\(op): X must have rank ≥ 3 ([N, C, spatial…]), got \(xData.shape)")
        }
        let channelsLast = try context.int("channels_last", default: 0) != 0
        let x = try QuantizedOperand(context, data: 0, name: "x")
        let y = try QuantizedOperand(context, data: xData, scale: 3, zeroPoint: 4, name: "y")
        let batch = xData.shape[0]
        let channels = channelsLast ? xData.shape[xData.rank - 1] : xData.shape[1]
        let spatial = xData.count / max(batch * channels, 1)
        // As onnxruntime: an exact integer sum, scaled once by x_scale / (y_scale · count).
        let values = x.shifted()
        let multiplier = Float(x.scales[0]) / (Float(y.scales[0]) * Float(max(spatial, 1)))
        var sums = [Float](repeating: 0, count: batch * channels)
        for n in 0..<batch {
            for c in 0..<channels {
                var sum = 0
                for s in 0..<spatial {
                    sum += Int(values[channelsLast ? (n * spatial + s) * channels + c : (n * channels + c) * spatial + s])
                }
                sums[n * channels + c] = Float(sum) * multiplier
            }
        }
        let ones = [Int](repeating: 1, count: xData.rank - 2)
        let shape = channelsLast ? [batch] + ones + [channels] : [batch, channels] + ones
        // `sums` already hold multiples of y_scale: quantize them with a unit scale.
        var unit = y
        unit.scales = [1]
        return [try MicrosoftQLinearElementwise.quantize(sums, shape: shape, into: unit)]
    }

    /// QLinearConcat: inputs `Y_scale, Y_zero_point`, then a triple `X, X_scale, X_zero_point`
    /// per tensor to join along `axis`. Each input is requantized to the output's parameters.
    static func concat(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let outputType = try context.input(1).dataType
        guard context.inputs.count >= 5, (context.inputs.count - 2) % 3 == 0 else {
            throw KernelError.invalidArgument("\(op): expected Y_scale, Y_zero_point and then (X, X_scale, X_zero_point) triples, got \(context.inputs.count) inputs")
        }
        let y = try QuantizedOperand(context, data: Tensor(zeros: outputType, shape: []), scale: 0, zeroPoint: 1, name: "Y")
        var parts: [QuantizedOperand] = []
        for index in stride(from: 2, to: context.inputs.count, by: 3) {
            let part = try QuantizedOperand(context, data: index, name: "X\((index - 2) / 3)")
            guard part.data.dataType == outputType else {
                throw KernelError.invalidArgument("\(op): input \(index) has type \(part.data.dataType), expected \(outputType)")
            }
            parts.append(part)
        }
        let first = parts[0].data.shape
        let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: 0), rank: first.count, op: op)
        var shape = first
        shape[axis] = 0
        for part in parts {
            var other = part.data.shape
            guard other.count == first.count else {
                throw KernelError.invalidArgument("\(op): inputs have ranks \(first.count) and \(other.count); they must match")
            }
            shape[axis] += other[axis]
            other[axis] = first[axis]
            guard other == first else {
                throw KernelError.invalidArgument("\(op): input shapes \(first) and \(part.data.shape) differ outside axis \(axis)")
            }
        }
        let outer = first[..<axis].reduce(1, *)
        var joined: [Float] = []
        joined.reserveCapacity(shape.reduce(1, *))
        let partValues = parts.map { $0.realFloats() }
        for o in 0..<outer {
            for (part, values) in zip(parts, partValues) {
                let chunk = part.data.shape[axis...].reduce(1, *)
                joined.append(contentsOf: values[(o * chunk)..<((o + 1) * chunk)])
            }
        }
        return [try MicrosoftQLinearElementwise.quantize(joined, shape: shape, into: y)]
    }
}
