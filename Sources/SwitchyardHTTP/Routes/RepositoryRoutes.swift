import Hummingbird
import SwitchyardServing

extension KServeRoutes {
    /// `POST /v2/repository/index` (body empty or `{"ready": bool}`) and
    /// `POST /v2/repository/models/{m}/load|unload` (Triton answers both with an empty 200).
    func addRepositoryRoutes(to router: Router<Context>) {
        let service = service
        let limit = maxBodyBytes
        router.post("/v2/repository/index") { request, _ in
            let options = try await Self.optionalJSONBody(request, limit: limit, what: "repository index request")
            var readyOnly = false
            if let ready = options?["ready"] {
                guard case .bool(let flag) = ready else { throw ServingError.invalidArgument("'ready' must be true or false") }
                readyOnly = flag
            }
            let entries = await service.repositoryIndex(readyOnly: readyOnly)
            var w = JSONWriter()
            w.raw("[")
            for (index, entry) in entries.enumerated() {
                if index > 0 { w.raw(",") }
                w.raw("{\"name\":")
                w.string(entry.name)
                if !entry.version.isEmpty {
                    w.raw(",\"version\":")
                    w.string(entry.version)
                }
                w.raw(",\"state\":")
                w.string(entry.state)
                if !entry.reason.isEmpty {
                    w.raw(",\"reason\":")
                    w.string(entry.reason)
                }
                w.raw("}")
            }
            w.raw("]")
            return KServeResponse.json(w)
        }
        router.post("/v2/repository/models/{model}/load") { request, context in
            let model = try ModelPath(context)
            let options = try await Self.optionalJSONBody(request, limit: limit, what: "load request")
            if let parameters = options?["parameters"], case .object(let members) = parameters, !members.isEmpty {
                throw ServingError.invalidArgument("load of \(model): load parameters (\(members.map(\.key).joined(separator: ", "))) "
                                                   + "are not supported; edit the repository's config.pbtxt instead")
            }
            try await service.loadModel(name: model.name)
            return KServeResponse.empty()
        }
        router.post("/v2/repository/models/{model}/unload") { request, context in
            let model = try ModelPath(context)
            _ = try await Self.optionalJSONBody(request, limit: limit, what: "unload request")
            try await service.unloadModel(name: model.name)
            return KServeResponse.empty()
        }
    }

    /// The body as a JSON object, nil when empty.
    private static func optionalJSONBody(_ request: Request, limit: Int, what: String) async throws(ServingError) -> JSONValue? {
        let body = try await RequestBodyReader.read(request, limit: limit)
        if body.readableBytes == 0 { return nil }
        let parsed = body.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(bytes) }
        }
        switch parsed {
        case .success(let value):
            guard case .object = value else { throw .invalidArgument("\(what) body must be a JSON object, got \(value.typeName)") }
            return value
        case .failure(let error):
            throw .invalidArgument("\(what): \(error)")
        }
    }
}
