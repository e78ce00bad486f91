import Foundation
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// A model loaded for validation, with a session and timing of its runs. Runs are blocking: use it
/// from a dedicated thread, never from Swift's cooperative pool.
struct ModelUnderTest {
    let path: String
    let loaded: LoadedModel
    let session: Session

    init(path: String, threads: Int) throws(QuantizationError) {
        let model: Model
        do {
            model = try ModelLoader.load(path: path)
        } catch {
            throw QuantizationError("cannot read model '\(path)': \(error)")
        }
        try self.init(model: model, path: path, threads: threads)
    }

    init(model: Model, path: String, threads: Int) throws(QuantizationError) {
        do {
            loaded = try LoadedModel(model: model)
            session = try Session(model: loaded, options: SessionOptions(threads: threads))
        } catch {
            throw QuantizationError("the engine cannot load '\(path)': \(error)")
        }
        self.path = path
    }

    /// Runs one sample and returns its outputs and the wall time in seconds.
    func run(_ inputs: [String: Tensor], sample: String) throws(QuantizationError) -> (outputs: [String: Tensor], seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let outputs = try session.run(inputs)
            return (outputs, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        } catch {
            throw QuantizationError("'\(path)' failed on sample '\(sample)': \(error)")
        }
    }

    /// Bytes of the model file on disk (0 for a model built in memory).
    var fileBytes: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Throws when `inputs` do not fit the model's declared inputs, naming the sample file and the
    /// expected type and shape.
    func check(_ inputs: [String: Tensor], sample: String) throws(QuantizationError) {
        for input in loaded.inputs {
            guard let tensor = inputs[input.name] else {
                throw QuantizationError("sample '\(sample)' has no value for the input '\(input.name)' of '\(path)'")
            }
            let expected = ModelPair.describe(input)
            if let type = input.dataType, type != tensor.dataType {
                throw QuantizationError("sample '\(sample)': input '\(input.name)' of '\(path)' expects \(expected), got \(tensor.dataType) \(tensor.shape)")
            }
            if let shape = input.shape {
                let fits = shape.count == tensor.rank
                    && zip(shape, tensor.shape).allSatisfy { dimension, size in dimension.fixedValue.map { $0 == size } ?? true }
                if !fits {
                    throw QuantizationError("sample '\(sample)': input '\(input.name)' of '\(path)' expects \(expected), got \(tensor.dataType) \(tensor.shape)")
                }
            }
        }
    }
}

/// The reference and candidate models of a validation, checked to take the same inputs.
struct ModelPair {
    let reference: ModelUnderTest
    let candidate: ModelUnderTest

    init(reference: ModelUnderTest, candidate: ModelUnderTest) throws(QuantizationError) {
        let referenceInputs = Dictionary(reference.loaded.inputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let candidateInputs = Dictionary(candidate.loaded.inputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let list = { (inputs: [ValueInfo]) in inputs.map { "\($0.name): \(Self.describe($0))" }.joined(separator: ", ") }
        let mismatch = QuantizationError(
            "the reference '\(reference.path)' and the candidate '\(candidate.path)' take different inputs: reference [\(list(reference.loaded.inputs))], candidate [\(list(candidate.loaded.inputs))]")
        guard Set(referenceInputs.keys) == Set(candidateInputs.keys) else { throw mismatch }
        for (name, ours) in referenceInputs {
            let theirs = candidateInputs[name]!
            if let a = ours.dataType, let b = theirs.dataType, a != b { throw mismatch }
            if let a = ours.shape, let b = theirs.shape {
                guard a.count == b.count else { throw mismatch }
                for (x, y) in zip(a, b) {
                    if let x = x.fixedValue, let y = y.fixedValue, x != y { throw mismatch }
                }
            }
        }
        let referenceOutputs = reference.loaded.outputs.map(\.name), candidateOutputs = candidate.loaded.outputs.map(\.name)
        guard Set(referenceOutputs) == Set(candidateOutputs) else {
            throw QuantizationError(
                "the reference '\(reference.path)' and the candidate '\(candidate.path)' have different outputs: reference [\(referenceOutputs.joined(separator: ", "))], candidate [\(candidateOutputs.joined(separator: ", "))]")
        }
        self.reference = reference
        self.candidate = candidate
    }

    /// The reference's input names, in declaration order.
    var inputNames: [String] { reference.loaded.inputs.map(\.name) }
    /// The reference's output names, in declaration order.
    var outputNames: [String] { reference.loaded.outputs.map(\.name) }

    static func describe(_ info: ValueInfo) -> String {
        let type = info.dataType.map { "\($0)" } ?? "any type"
        let shape = info.shape.map { "[" + $0.map(\.description).joined(separator: ", ") + "]" } ?? "any shape"
        return "\(type) \(shape)"
    }
}
