import Foundation
import SwitchyardServing

extension Inference_ModelInferResponse {
    /// The service's answer as Triton's gRPC frontend sends it: every output's elements in
    /// `raw_output_contents`, in `outputs` order (tritonclient's `as_numpy` reads them from there).
    init(_ response: InferenceResponse) {
        self.init()
        id = response.id
        modelName = response.modelName
        modelVersion = String(response.modelVersion)
        outputs = response.outputs.map { output in
            var tensor = InferOutputTensor()
            tensor.name = output.name
            tensor.datatype = output.tensor.dataType.kserveName
            tensor.shape = output.tensor.shape.map(Int64.init)
            return tensor
        }
        rawOutputContents = response.outputs.map { output in
            var bytes = Data(count: BinaryTensor.byteCount(of: output.tensor))
            bytes.withUnsafeMutableBytes { BinaryTensor.write(output.tensor, to: $0) }
            return bytes
        }
    }
}
