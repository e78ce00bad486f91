import SwitchyardEngine
import SwitchyardTensor

/// The reference model a served version is compared with, and how (from `shadow_*` parameters).
public struct ShadowReference: Sendable {
    public var model: LoadedModel
    public var settings: ShadowSettings

    public init(model: LoadedModel, settings: ShadowSettings) {
        self.model = model
        self.settings = settings
    }

    /// Checks that the reference takes every input of `served` with the same element type and
    /// produces every output of it, so a sample's inputs run on it and its outputs compare.
    /// `servedLabel` and `referenceLabel` name the two files in the error.
    public func checkCompatible(with served: LoadedModel, servedLabel: String,
                                referenceLabel: String) throws(ServingError) {
        let referenceInputs = Dictionary(model.inputs.map { ($0.name, $0.dataType) }, uniquingKeysWith: { first, _ in first })
        for input in served.inputs {
            guard let type = referenceInputs[input.name] else {
                throw .invalidArgument("shadow reference \(referenceLabel) has no input '\(input.name)', which \(servedLabel) takes (inputs: \(model.inputs.map(\.name).joined(separator: ", ")))")
            }
            guard type == input.dataType else {
                let describe = { (type: DataType?) in type.map { "\($0)" } ?? "untyped" }
                throw .invalidArgument("shadow reference \(referenceLabel) input '\(input.name)' is \(describe(type)), \(servedLabel) takes \(describe(input.dataType))")
            }
        }
        let referenceOutputs = Set(model.outputs.map(\.name))
        if let missing = served.outputs.first(where: { !referenceOutputs.contains($0.name) }) {
            throw .invalidArgument("shadow reference \(referenceLabel) has no output '\(missing.name)', which \(servedLabel) produces (outputs: \(model.outputs.map(\.name).joined(separator: ", ")))")
        }
    }
}
