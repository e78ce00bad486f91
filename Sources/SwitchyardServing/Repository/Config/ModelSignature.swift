import SwitchyardEngine
import SwitchyardGraph

/// The inputs and outputs of a model — all that completing and validating a config needs. Take
/// it from the `LoadedModel` you already hold; the model is never loaded twice for its config.
public struct ModelSignature: Sendable {
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]

    public init(inputs: [ValueInfo], outputs: [ValueInfo]) {
        self.inputs = inputs
        self.outputs = outputs
    }

    public init(_ model: LoadedModel) {
        self.init(inputs: model.inputs, outputs: model.outputs)
    }

    /// Triton's test for a model that can batch: every input and output has a variable first
    /// dimension (the batch). A model without inputs takes no batch.
    public var hasVariableFirstDimension: Bool {
        !inputs.isEmpty && (inputs + outputs).allSatisfy { $0.firstDimensionIsVariable }
    }
}

extension ValueInfo {
    /// The declared shape in config form: -1 for symbolic and unknown dimensions.
    var configDims: [Int64]? {
        shape?.map { $0.fixedValue.map(Int64.init) ?? -1 }
    }

    var firstDimensionIsVariable: Bool {
        guard let first = shape?.first else { return false }
        return first.fixedValue == nil
    }
}

/// `[-1,3,48,192]`, as dims are written in messages.
func describeDims(_ dims: [Int64]) -> String {
    "[" + dims.map(String.init).joined(separator: ",") + "]"
}
