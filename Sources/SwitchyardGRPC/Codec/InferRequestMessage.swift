import Foundation
import SwitchyardServing
import SwitchyardTensor

extension Inference_ModelInferRequest {
    /// The request for the service, with every input checked: a known datatype, a shape of
    /// non-negative dimensions, and elements that fill it exactly, sent either all in
    /// `raw_input_contents` (what tritonclient and perf_analyzer send) or each in typed `contents`.
    func decoded() throws(ServingError) -> InferenceRequest {
        var request = InferenceRequest(id: id, modelName: modelName,
                                       modelVersion: try ModelVersion.parse(modelVersion, model: modelName), inputs: [])
        try applyParameters(to: &request)
        if !rawInputContents.isEmpty, rawInputContents.count != inputs.count {
            throw .invalidArgument("raw_input_contents has \(rawInputContents.count) entries for \(inputs.count) inputs; "
                                   + "send every input there, in 'inputs' order, or none")
        }
        var seen = Set<String>()
        for (position, input) in inputs.enumerated() {
            guard seen.insert(input.name).inserted else { throw .invalidArgument("input '\(input.name)' is given twice") }
            request.inputs.append(try decode(input, raw: rawInputContents.isEmpty ? nil : rawInputContents[position]))
        }
        for output in outputs {
            if output.parameters["classification"] != nil {
                throw .invalidArgument("output '\(output.name)': the classification extension is not supported")
            }
            if output.parameters["shared_memory_region"] != nil {
                throw .invalidArgument("output '\(output.name)': shared memory is not supported; leave the output in the response")
            }
            request.requestedOutputs.append(output.name)
        }
        return request
    }

    private func applyParameters(to request: inout InferenceRequest) throws(ServingError) {
        if let priority = parameters["priority"] {
            request.priority = try priority.nonNegativeInteger(named: "priority")
        }
        if let timeout = parameters["timeout"] {
            request.timeoutMicroseconds = try timeout.nonNegativeInteger(named: "timeout (microseconds)")
        }
    }

    private func decode(_ input: InferInputTensor, raw: Data?) throws(ServingError) -> NamedTensor {
        let name = input.name
        guard let dataType = DataType(kserveName: input.datatype) else {
            throw .invalidArgument("input '\(name)': unknown datatype '\(input.datatype)'; expected one of \(DataType.kserveNames)")
        }
        if input.parameters["shared_memory_region"] != nil {
            throw .invalidArgument("input '\(name)': shared memory is not supported; send the tensor in raw_input_contents")
        }
        guard let shape = Self.shape(input.shape) else {
            throw .invalidArgument("input '\(name)': shape dimensions must be non-negative integers, got \(input.shape)")
        }
        let count = try BinaryTensor.elementCount(of: shape, input: name)
        guard let raw else {
            guard input.hasContents else {
                throw .invalidArgument("input '\(name)' has neither raw_input_contents nor contents")
            }
            return try TensorContents.input(named: name, from: input.contents, dataType: dataType, shape: shape, count: count)
        }
        if input.hasContents { throw .invalidArgument("input '\(name)' has both raw_input_contents and contents") }
        let result = raw.withUnsafeBytes { bytes in
            Result { () throws(ServingError) -> NamedTensor in
                try BinaryTensor.input(named: name, from: bytes, dataType: dataType, shape: shape)
            }
        }
        return try result.get()
    }

    private static func shape(_ dims: [Int64]) -> [Int]? {
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for dim in dims {
            guard dim >= 0, let size = Int(exactly: dim) else { return nil }
            shape.append(size)
        }
        return shape
    }
}

extension Inference_InferParameter {
    /// An integer parameter sent as int64 or uint64 (clients use either), never negative.
    func nonNegativeInteger(named name: String) throws(ServingError) -> UInt64 {
        switch parameterChoice {
        case .int64Param(let value) where value >= 0: UInt64(value)
        case .uint64Param(let value): value
        default: throw .invalidArgument("parameter '\(name)' must be a non-negative integer")
        }
    }
}
