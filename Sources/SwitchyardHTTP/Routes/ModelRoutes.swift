import Hummingbird
import SwitchyardServing

extension KServeRoutes {
    /// `GET /v2/models/{m}[/versions/{v}]`, `…/ready`, `…/config`.
    func addModelRoutes(to router: Router<Context>) {
        let service = service
        onModel(router, .get, "") { _, model in
            let metadata = try await service.modelMetadata(name: model.name, version: model.version)
            var w = JSONWriter()
            w.raw("{\"name\":")
            w.string(metadata.name)
            w.raw(",\"versions\":")
            w.array(metadata.versions) { $0.string($1) }
            w.raw(",\"platform\":")
            w.string(metadata.platform)
            w.raw(",\"inputs\":")
            Self.writeTensors(metadata.inputs, to: &w)
            w.raw(",\"outputs\":")
            Self.writeTensors(metadata.outputs, to: &w)
            w.raw("}")
            return KServeResponse.json(w)
        }
        onModel(router, .get, "/ready") { _, model in
            if await service.isModelReady(name: model.name, version: model.version) { return KServeResponse.empty() }
            return KServeResponse.error("\(model) is not ready", status: .badRequest)
        }
        onModel(router, .get, "/config") { _, model in
            let config = try await service.modelConfig(name: model.name, version: model.version)
            var w = JSONWriter(capacity: 1024)
            ModelConfigJSON.write(config, to: &w)
            return KServeResponse.json(w)
        }
    }

    private static func writeTensors(_ tensors: [ModelMetadata.TensorMetadata], to w: inout JSONWriter) {
        w.array(tensors) { w, tensor in
            w.raw("{\"name\":")
            w.string(tensor.name)
            w.raw(",\"datatype\":")
            w.string(tensor.datatype)
            w.raw(",\"shape\":")
            w.array(tensor.shape) { $0.integer($1) }
            w.raw("}")
        }
    }
}
