import Foundation
import SwitchyardTensor

/// MelWeightMatrix (opset 17): the `[dft_length/2 + 1, num_mel_bins]` matrix of triangular
/// filters that maps a linear spectrum to the mel scale, between `lower_edge_hertz` and
/// `upper_edge_hertz`. Band edges follow ONNX's reference exactly, including its spacing of
/// `num_mel_bins + 2` steps and its integer bin rounding.
enum MelWeightMatrixKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        func scalar(_ index: Int, _ name: String) throws -> Double {
            let tensor = try context.input(index)
            guard tensor.count == 1, tensor.dataType != .string else {
                throw KernelError.invalidArgument("\(op): \(name) must be a scalar, got \(tensor.dataType) \(tensor.shape)")
            }
            return tensor.doubles()[0]
        }
        let melBins = Int(try scalar(0, "num_mel_bins")), dftLength = Int(try scalar(1, "dft_length"))
        let sampleRate = try scalar(2, "sample_rate")
        let lower = try scalar(3, "lower_edge_hertz"), upper = try scalar(4, "upper_edge_hertz")
        guard melBins > 0, dftLength > 0, sampleRate > 0 else {
            throw KernelError.invalidArgument("\(op): num_mel_bins \(melBins), dft_length \(dftLength) and sample_rate \(sampleRate) must be positive")
        }
        guard lower >= 0, lower < upper else {
            throw KernelError.invalidArgument("\(op): need 0 ≤ lower_edge_hertz < upper_edge_hertz, got \(lower) and \(upper)")
        }
        let spectrogramBins = dftLength / 2 + 1
        let lowMel = 2595 * log10(1 + lower / 700), highMel = 2595 * log10(1 + upper / 700)
        let step = (highMel - lowMel) / Double(melBins + 2)
        let edges = (0..<(melBins + 2)).map { index -> Int in
            let hertz = 700 * (pow(10, (Double(index) * step + lowMel) / 2595) - 1)
            return Int((Double(dftLength + 1) * hertz / sampleRate).rounded(.down))
        }
        guard let last = edges.last, last < spectrogramBins, edges[0] >= 0 else {
            throw KernelError.invalidArgument("\(op): upper_edge_hertz \(upper) maps past the last of \(spectrogramBins) spectrogram bins at sample_rate \(sampleRate)")
        }
        var matrix = [Double](repeating: 0, count: spectrogramBins * melBins)
        for bin in 0..<melBins {
            let (left, center, right) = (edges[bin], edges[bin + 1], edges[bin + 2])
            if center == left {
                matrix[center * melBins + bin] = 1
            } else {
                for j in left...center { matrix[j * melBins + bin] = Double(j - left) / Double(center - left) }
            }
            if right > center {
                for j in center..<right { matrix[j * melBins + bin] = Double(right - j) / Double(right - center) }
            }
        }
        let outputType = try SignalOutputType.read(context, default: .float32)
        return [Tensor(dataType: outputType, shape: [spectrogramBins, melBins], doubles: matrix)]
    }
}
