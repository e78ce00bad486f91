import NIOCore
import SwitchyardServing
import SwitchyardTensor

/// A decoded `POST …/infer` body: the request for the service and how to encode the answer.
struct DecodedInferRequest: Sendable {
    var request: InferenceRequest
    var outputFormat: OutputFormat
}

/// Which outputs the response carries as binary data rather than JSON.
struct OutputFormat: Sendable, Equatable {
    /// For outputs without their own `binary_data` parameter.
    var binaryByDefault = false
    /// Per-output `parameters.binary_data`.
    var binaryByOutput: [String: Bool] = [:]

    func isBinary(_ output: String) -> Bool { binaryByOutput[output] ?? binaryByDefault }
}

/// Decodes KServe v2 infer bodies: JSON, optionally followed by binary tensor data when the
/// `Inference-Header-Content-Length` header gives the JSON's length.
enum InferRequestDecoder {
    /// - Parameters:
    ///   - body: the whole (decompressed) body.
    ///   - jsonLength: the `Inference-Header-Content-Length` value, nil when absent.
    static func decode(
        body: ByteBuffer, jsonLength: Int?, modelName: String, modelVersion: Int64?
    ) throws(ServingError) -> DecodedInferRequest {
        let result = body.withUnsafeReadableBytes { bytes in
            Result { () throws(ServingError) -> DecodedInferRequest in
                try decode(bytes: bytes, jsonLength: jsonLength, modelName: modelName, modelVersion: modelVersion)
            }
        }
        return try result.get()
    }

    private static func decode(
        bytes: UnsafeRawBufferPointer, jsonLength: Int?, modelName: String, modelVersion: Int64?
    ) throws(ServingError) -> DecodedInferRequest {
        let headerLength = jsonLength ?? bytes.count
        guard headerLength >= 0, headerLength <= bytes.count else {
            throw .invalidArgument("Inference-Header-Content-Length is \(headerLength) but the body has only \(bytes.count) bytes (truncated body?)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<headerLength]))
        } catch {
            throw .invalidArgument("infer request for model '\(modelName)': \(error)")
        }
        guard case .object = json else {
            throw .invalidArgument("infer request body must be a JSON object, got \(json.typeName)")
        }

        var request = InferenceRequest(modelName: modelName, modelVersion: modelVersion, inputs: [])
        var format = OutputFormat()
        if let id = json["id"] {
            guard case .string(let text) = id else { throw .invalidArgument("'id' must be a string, got \(id.typeName)") }
            request.id = text
        }
        if let parameters = json["parameters"] {
            try applyRequestParameters(parameters, to: &request, format: &format)
        }

        guard let inputsValue = json["inputs"] else { throw .invalidArgument("infer request has no 'inputs' array") }
        guard case .array(let inputs) = inputsValue else {
            throw .invalidArgument("'inputs' must be an array, got \(inputsValue.typeName)")
        }
        var binaryOffset = headerLength
        var seen = Set<String>()
        for (position, input) in inputs.enumerated() {
            let tensor = try decodeInput(input, position: position, bytes: bytes, binaryOffset: &binaryOffset)
            guard seen.insert(tensor.name).inserted else { throw .invalidArgument("input '\(tensor.name)' is given twice") }
            request.inputs.append(tensor)
        }
        if binaryOffset != bytes.count {
            throw .invalidArgument("the body has \(bytes.count - binaryOffset) bytes after the JSON header that no input's "
                                   + "binary_data_size accounts for")
        }

        if let outputsValue = json["outputs"] {
            guard case .array(let outputs) = outputsValue else {
                throw .invalidArgument("'outputs' must be an array, got \(outputsValue.typeName)")
            }
            for output in outputs {
                let name = try requiredString(output, "name", in: "each 'outputs' entry")
                if let parameters = output["parameters"] {
                    guard case .object = parameters else { throw .invalidArgument("output '\(name)': 'parameters' must be an object") }
                    if let binary = parameters["binary_data"] {
                        guard case .bool(let flag) = binary else {
                            throw .invalidArgument("output '\(name)': 'binary_data' must be true or false")
                        }
                        format.binaryByOutput[name] = flag
                    }
                    if parameters["classification"] != nil {
                        throw .invalidArgument("output '\(name)': the classification extension is not supported")
                    }
                }
                request.requestedOutputs.append(name)
            }
        } else if jsonLength != nil, json["parameters"]?["binary_data_output"] == nil {
            // A binary request that names no outputs gets binary outputs (Triton does the same).
            format.binaryByDefault = true
        }
        return DecodedInferRequest(request: request, outputFormat: format)
    }

    private static func applyRequestParameters(
        _ parameters: JSONValue, to request: inout InferenceRequest, format: inout OutputFormat
    ) throws(ServingError) {
        guard case .object = parameters else { throw .invalidArgument("request 'parameters' must be an object, got \(parameters.typeName)") }
        if let priority = parameters["priority"] {
            guard let value = priority.int64Value, value >= 0 else {
                throw .invalidArgument("parameter 'priority' must be a non-negative integer")
            }
            request.priority = UInt64(value)
        }
        if let timeout = parameters["timeout"] {
            guard let value = timeout.int64Value, value >= 0 else {
                throw .invalidArgument("parameter 'timeout' must be a non-negative integer (microseconds)")
            }
            request.timeoutMicroseconds = UInt64(value)
        }
        if let binary = parameters["binary_data_output"] {
            guard case .bool(let flag) = binary else { throw .invalidArgument("parameter 'binary_data_output' must be true or false") }
            format.binaryByDefault = flag
        }
    }

    private static func decodeInput(
        _ input: JSONValue, position: Int, bytes: UnsafeRawBufferPointer, binaryOffset: inout Int
    ) throws(ServingError) -> NamedTensor {
        guard case .object = input else { throw .invalidArgument("inputs[\(position)] must be an object, got \(input.typeName)") }
        let name = try requiredString(input, "name", in: "inputs[\(position)]")
        let datatypeName = try requiredString(input, "datatype", in: "input '\(name)'")
        guard let dataType = DataType(kserveName: datatypeName) else {
            throw .invalidArgument("input '\(name)': unknown datatype '\(datatypeName)'; expected one of \(DataType.kserveNames)")
        }
        let shape = try decodeShape(input["shape"], input: name)
        let elementCount = try BinaryTensor.elementCount(of: shape, input: name)

        var binarySize: Int?
        if let parameters = input["parameters"] {
            guard case .object = parameters else { throw .invalidArgument("input '\(name)': 'parameters' must be an object") }
            if let size = parameters["binary_data_size"] {
                guard let value = size.int64Value, value >= 0 else {
                    throw .invalidArgument("input '\(name)': 'binary_data_size' must be a non-negative integer")
                }
                binarySize = Int(value)
            }
        }
        guard let binarySize else {
            guard let data = input["data"] else {
                throw .invalidArgument("input '\(name)' has neither 'data' nor parameters.binary_data_size")
            }
            return NamedTensor(name: name, tensor: try TensorJSON.tensor(from: data, dataType: dataType, shape: shape, input: name))
        }
        if input["data"] != nil { throw .invalidArgument("input '\(name)' has both 'data' and binary_data_size") }
        guard binarySize <= bytes.count - binaryOffset else {
            throw .invalidArgument("input '\(name)': binary_data_size is \(binarySize) but only \(bytes.count - binaryOffset) "
                                   + "bytes of binary data remain (truncated body, or a missing Inference-Header-Content-Length header?)")
        }
        if dataType != .string {
            let (expected, overflow) = elementCount.multipliedReportingOverflow(by: dataType.byteSize)
            guard !overflow, expected == binarySize else {
                throw .invalidArgument("input '\(name)': binary_data_size is \(binarySize) bytes but shape \(shape) of "
                                       + "\(datatypeName) needs \(overflow ? "more than Int.max" : String(expected))")
            }
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[binaryOffset..<binaryOffset + binarySize])
        binaryOffset += binarySize
        return try BinaryTensor.input(named: name, from: slice, dataType: dataType, shape: shape)
    }

    private static func decodeShape(_ value: JSONValue?, input: String) throws(ServingError) -> [Int] {
        guard let value else { throw .invalidArgument("input '\(input)' has no 'shape'") }
        guard case .array(let dims) = value else { throw .invalidArgument("input '\(input)': 'shape' must be an array of integers") }
        var shape: [Int] = []
        for dim in dims {
            guard let size = dim.int64Value, size >= 0 else {
                throw .invalidArgument("input '\(input)': shape dimensions must be non-negative integers, got \(dims.map(describe))")
            }
            shape.append(Int(size))
        }
        return shape
    }

    private static func requiredString(_ object: JSONValue, _ key: String, in place: String) throws(ServingError) -> String {
        guard let value = object[key] else { throw .invalidArgument("\(place) has no '\(key)'") }
        guard case .string(let text) = value else { throw .invalidArgument("\(place): '\(key)' must be a string, got \(value.typeName)") }
        return text
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .int(let v): "\(v)"
        case .uint(let v): "\(v)"
        case .double(let v): "\(v)"
        default: value.typeName
        }
    }
}
