import SwitchyardTensor

/// DFT (opsets 17, 20). The input is `[…, signal axis, …, 1 | 2]`: the last axis holds a real
/// value or a (real, imaginary) pair. `dft_length` (input 1) zero-pads or truncates the signal;
/// `axis` is an attribute in opset 17 and input 2 from opset 20. `onesided` keeps the first
/// `n/2 + 1` bins of a forward transform; with `inverse` it reads those bins and returns the
/// real signal (NumPy's irfft). The output is `[…, 2]`, or `[…, 1]` for that real inverse.
enum DFTKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        guard x.dataType.isFloatingPoint else {
            throw KernelError.invalidArgument("\(op): input has type \(x.dataType); expected a floating-point type")
        }
        guard x.rank >= 2, x.shape[x.rank - 1] == 1 || x.shape[x.rank - 1] == 2 else {
            throw KernelError.invalidArgument("\(op): input shape \(x.shape) must end in 1 (real) or 2 (complex) and have rank ≥ 2")
        }
        let inverse = try context.int("inverse", default: 0) != 0
        let onesided = try context.int("onesided", default: 0) != 0
        let axis = try signalAxis(context, rank: x.rank)
        let inputLength = x.shape[axis]
        var length = inverse && onesided ? 2 * (inputLength - 1) : inputLength
        if let lengthInput = context.optionalInput(1) {
            guard lengthInput.count == 1, lengthInput.dataType.isInteger else {
                throw KernelError.invalidArgument("\(op): dft_length must be an integer scalar, got \(lengthInput.dataType) \(lengthInput.shape)")
            }
            length = lengthInput.ints()[0]
        }
        guard length > 0 else {
            throw KernelError.invalidArgument("\(op): dft_length \(length) must be positive")
        }
        let signals = ComplexSignals(x, axis: axis)
        let dft = DiscreteFourierTransform(length: length)
        var outputShape = x.shape
        outputShape[x.rank - 1] = inverse && onesided ? 1 : 2
        outputShape[axis] = inverse || !onesided ? length : length / 2 + 1
        if inverse && onesided {
            let result = signals.map(outputLength: length, channels: 1) { real, imaginary in
                (dft.inverseOfHermitian(real: real, imaginary: imaginary), [])
            }
            return [Tensor(dataType: x.dataType, shape: outputShape, doubles: result)]
        }
        let result = signals.map(outputLength: outputShape[axis], channels: 2) { real, imaginary in
            dft.transform(real: real, imaginary: imaginary, outputCount: outputShape[axis], inverse: inverse)
        }
        return [Tensor(dataType: x.dataType, shape: outputShape, doubles: result)]
    }

    /// The signal axis: attribute `axis` (default 1) in opset 17, input 2 (default −2) from
    /// opset 20. It may not be the last (real/imaginary) axis.
    private static func signalAxis(_ context: OpContext, rank: Int) throws(KernelError) -> Int {
        let op = context.node.opType
        var axis: Int
        if context.opset >= 20 {
            axis = -2
            if let axisInput = context.optionalInput(2) {
                guard axisInput.count == 1, axisInput.dataType.isInteger else {
                    throw .invalidArgument("\(op): axis must be an integer scalar, got \(axisInput.dataType) \(axisInput.shape)")
                }
                axis = axisInput.ints()[0]
            }
        } else {
            axis = try context.int("axis", default: 1)
        }
        let resolved = try ShapeMath.normalizedAxis(axis, rank: rank, op: op)
        guard resolved < rank - 1 else {
            throw .invalidArgument("\(op): axis \(axis) is the real/imaginary axis; it must be one of the first \(rank - 1) axes")
        }
        return resolved
    }
}

/// The 1-D complex sequences along one axis of a `[…, 1 | 2]` tensor, gathered in `Double`.
struct ComplexSignals {
    let values: [Double]
    let complex: Bool
    /// Elements before and after the signal axis, excluding the final real/imaginary axis.
    let outer: Int
    let length: Int
    let inner: Int

    init(_ x: Tensor, axis: Int) {
        values = x.doubles()
        complex = x.shape[x.rank - 1] == 2
        outer = x.shape[..<axis].reduce(1, *)
        length = x.shape[axis]
        inner = x.shape[(axis + 1)..<(x.rank - 1)].reduce(1, *)
    }

    /// Applies `transform` to every sequence and lays its outputs (`outputLength` values,
    /// `channels` = 1 for real or 2 for complex) out in the same positions, row-major.
    func map(
        outputLength: Int, channels: Int, _ transform: ([Double], [Double]) -> ([Double], [Double])
    ) -> [Double] {
        let width = complex ? 2 : 1
        var output = [Double](repeating: 0, count: outer * outputLength * inner * channels)
        var real = [Double](repeating: 0, count: length), imaginary = real
        for o in 0..<outer {
            for i in 0..<inner {
                for t in 0..<length {
                    let base = ((o * length + t) * inner + i) * width
                    real[t] = values[base]
                    imaginary[t] = complex ? values[base + 1] : 0
                }
                let (outReal, outImaginary) = transform(real, imaginary)
                for k in 0..<outputLength {
                    let base = ((o * outputLength + k) * inner + i) * channels
                    output[base] = outReal[k]
                    if channels == 2 { output[base + 1] = outImaginary[k] }
                }
            }
        }
        return output
    }
}
