import NIOCore
import SwitchyardServing
import SwitchyardTensor

/// An encoded infer response: the body and, when it carries binary outputs, the JSON header's
/// length for the `Inference-Header-Content-Length` header.
struct EncodedInferResponse {
    var body: ByteBuffer
    var jsonLength: Int?
}

/// Encodes `InferenceResponse`s as KServe v2 JSON, with binary outputs appended after the JSON
/// (written straight from the tensors into the one response buffer).
enum InferResponseEncoder {
    static func encode(_ response: InferenceResponse, format: OutputFormat) -> EncodedInferResponse {
        let binary = response.outputs.filter { format.isBinary($0.name) }
        let binaryBytes = binary.reduce(0) { $0 + BinaryTensor.byteCount(of: $1.tensor) }
        let jsonEstimate = response.outputs.reduce(256) { total, output in
            total + 128 + (format.isBinary(output.name) ? 0 : output.tensor.count * 12)
        }
        var writer = JSONWriter(capacity: jsonEstimate + binaryBytes)
        writer.raw("{")
        if !response.id.isEmpty {
            writer.key("id")
            writer.string(response.id)
            writer.raw(",")
        }
        writer.key("model_name")
        writer.string(response.modelName)
        writer.raw(",")
        writer.key("model_version")
        writer.string(String(response.modelVersion))
        writer.raw(",")
        writer.key("outputs")
        writer.raw("[")
        for (index, output) in response.outputs.enumerated() {
            if index > 0 { writer.raw(",") }
            writeOutputHeader(output, to: &writer)
            if format.isBinary(output.name) {
                writer.raw(",")
                writer.key("parameters")
                writer.raw("{")
                writer.key("binary_data_size")
                writer.integer(BinaryTensor.byteCount(of: output.tensor))
                writer.raw("}")
            } else {
                writer.raw(",")
                writer.key("data")
                TensorJSON.write(output.tensor, to: &writer)
            }
            writer.raw("}")
        }
        writer.raw("]}")
        guard !binary.isEmpty else { return EncodedInferResponse(body: writer.buffer, jsonLength: nil) }
        let jsonLength = writer.buffer.readableBytes
        for output in binary {
            BinaryTensor.write(output.tensor, to: &writer.buffer)
        }
        return EncodedInferResponse(body: writer.buffer, jsonLength: jsonLength)
    }

    private static func writeOutputHeader(_ output: NamedTensor, to writer: inout JSONWriter) {
        writer.raw("{")
        writer.key("name")
        writer.string(output.name)
        writer.raw(",")
        writer.key("datatype")
        writer.string(output.tensor.dataType.kserveName)
        writer.raw(",")
        writer.key("shape")
        writer.raw("[")
        for (index, dim) in output.tensor.shape.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.integer(dim)
        }
        writer.raw("]")
    }
}
