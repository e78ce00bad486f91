import Hummingbird
import SwitchyardServing

extension KServeRoutes {
    /// `POST /v2/models/{m}[/versions/{v}]/infer`: JSON or binary-extension bodies, optionally
    /// gzip/deflate-encoded; JSON or binary outputs.
    func addInferRoutes(to router: Router<Context>) {
        let service = service
        let limit = maxBodyBytes
        onModel(router, .post, "/infer") { request, model in
            let body = try await RequestBodyReader.read(request, limit: limit)
            let decoded = try InferRequestDecoder.decode(
                body: body, jsonLength: try RequestBodyReader.inferenceHeaderLength(request),
                modelName: model.name, modelVersion: model.version)
            let response = try await service.infer(decoded.request)
            let encoded = InferResponseEncoder.encode(response, format: decoded.outputFormat)
            guard let jsonLength = encoded.jsonLength else {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: encoded.body))
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream",
                          RequestBodyReader.inferenceHeaderContentLength: String(jsonLength)],
                body: .init(byteBuffer: encoded.body))
        }
    }
}
