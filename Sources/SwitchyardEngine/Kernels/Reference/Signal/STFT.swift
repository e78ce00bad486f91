import SwitchyardTensor

/// STFT (opset 17): the short-time Fourier transform of `signal` `[batch, length, 1 | 2]`.
/// Frames of `frame_length` samples start every `frame_step` samples
/// (`1 + (length − frame_length) / frame_step` of them), are multiplied by `window` (default
/// all ones) and transformed with a DFT of `frame_length` points. The output is
/// `[batch, frames, bins, 2]`, with `frame_length/2 + 1` bins when `onesided` (the default).
enum STFTKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let signal = try context.input(0)
        guard signal.dataType.isFloatingPoint else {
            throw KernelError.invalidArgument("\(op): signal has type \(signal.dataType); expected a floating-point type")
        }
        guard signal.rank == 3, signal.shape[2] == 1 || signal.shape[2] == 2 else {
            throw KernelError.invalidArgument("\(op): signal must have shape [batch, length, 1 or 2], got \(signal.shape)")
        }
        let step = try scalar(context, index: 1, name: "frame_step")
        let window = context.optionalInput(2)
        if let window, window.rank != 1 {
            throw KernelError.invalidArgument("\(op): window must be 1-D, got shape \(window.shape)")
        }
        let length = signal.shape[1]
        let frameLength = context.optionalInput(3) != nil
            ? try scalar(context, index: 3, name: "frame_length") : window?.count ?? length
        let windowValues = window?.doubles() ?? [Double](repeating: 1, count: frameLength)
        let onesided = try context.int("onesided", default: 1) != 0
        guard step > 0, frameLength > 0 else {
            throw KernelError.invalidArgument("\(op): frame_step \(step) and frame_length \(frameLength) must be positive")
        }
        guard frameLength <= length else {
            throw KernelError.invalidArgument("\(op): frame_length \(frameLength) is longer than the signal (\(length) samples)")
        }
        let frames = 1 + (length - frameLength) / step
        let bins = onesided ? frameLength / 2 + 1 : frameLength
        let batch = signal.shape[0], complex = signal.shape[2] == 2
        let values = signal.doubles()
        let dft = DiscreteFourierTransform(length: frameLength)
        var output = [Double](repeating: 0, count: batch * frames * bins * 2)
        // A frame covers `window.count` samples (zero past the signal's end); the DFT then pads
        // or truncates it to `frame_length`.
        var real = [Double](repeating: 0, count: windowValues.count), imaginary = real
        for b in 0..<batch {
            for frame in 0..<frames {
                for t in 0..<windowValues.count {
                    let sample = frame * step + t
                    let inside = sample < length
                    let base = (b * length + sample) * (complex ? 2 : 1)
                    real[t] = inside ? values[base] * windowValues[t] : 0
                    imaginary[t] = inside && complex ? values[base + 1] * windowValues[t] : 0
                }
                let spectrum = dft.transform(real: real, imaginary: imaginary, outputCount: bins, inverse: false)
                for k in 0..<bins {
                    let base = ((b * frames + frame) * bins + k) * 2
                    output[base] = spectrum.real[k]
                    output[base + 1] = spectrum.imaginary[k]
                }
            }
        }
        return [Tensor(dataType: signal.dataType, shape: [batch, frames, bins, 2], doubles: output)]
    }

    private static func scalar(_ context: OpContext, index: Int, name: String) throws(KernelError) -> Int {
        let tensor = try context.input(index)
        guard tensor.count == 1, tensor.dataType.isInteger else {
            throw .invalidArgument("\(context.node.opType): \(name) must be an integer scalar, got \(tensor.dataType) \(tensor.shape)")
        }
        return tensor.ints()[0]
    }
}
