import SwitchyardGraph
import SwitchyardTensor

/// Calibration samples checked against the model's inputs: every sample must give each input a
/// tensor of the declared element type whose shape fits the declared one (fixed dimensions equal,
/// same rank), so a wrong folder fails before any run with the file and the expected shape.
struct CalibrationInputs {
    let samples: SampleSet
    let inputs: [ValueInfo]

    init(samples: SampleSet, inputs: [ValueInfo]) {
        self.samples = samples
        self.inputs = inputs
    }

    var count: Int { samples.count }

    /// The checked inputs of sample `index`.
    func sample(at index: Int) throws(QuantizationError) -> [String: Tensor] {
        var feed = try samples.sample(at: index)
        for input in inputs {
            guard let tensor = feed[input.name] else { continue }
            let file = Self.file(of: samples, index: index, input: input.name)
            if let expected = input.dataType, tensor.dataType != expected {
                throw QuantizationError("\(file): element type \(tensor.dataType), expected \(expected) for model input '\(input.name)'")
            }
            if let shape = input.shape, !Self.fits(tensor.shape, shape) {
                throw QuantizationError("\(file): shape \(tensor.shape), expected \(Self.describe(shape)) for model input '\(input.name)' (? = any size)")
            }
            feed[input.name] = tensor
        }
        return feed
    }

    static func fits(_ shape: [Int], _ declared: [Dimension]) -> Bool {
        guard shape.count == declared.count else { return false }
        return zip(shape, declared).allSatisfy { actual, dimension in
            dimension.fixedValue.map { $0 == actual } ?? true
        }
    }

    static func describe(_ shape: [Dimension]) -> String {
        "[" + shape.map { $0.fixedValue.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
    }

    private static func file(of samples: SampleSet, index: Int, input: String) -> String {
        switch samples.locations[index] {
        case .file(let path): path
        case .image(let path): "\(path) (after --preprocess)"
        case .folder(let folder): "\(folder)/\(input).npy"
        }
    }
}
