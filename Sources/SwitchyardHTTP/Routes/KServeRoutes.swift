import Hummingbird
import SwitchyardServing

/// The KServe v2 routes over one `InferenceService`. Each concern adds its routes in its own file.
struct KServeRoutes<Context: RequestContext>: Sendable {
    let service: any InferenceService
    let maxBodyBytes: Int

    func add(to router: Router<Context>) {
        router.add(middleware: KServeErrorMiddleware<Context>())
        addHealthRoutes(to: router)
        addModelRoutes(to: router)
        addInferRoutes(to: router)
        addStatisticsRoutes(to: router)
        addRepositoryRoutes(to: router)
    }

    /// Registers `handler` for `/v2/models/{model}<suffix>` and `/v2/models/{model}/versions/{version}<suffix>`.
    func onModel(
        _ router: Router<Context>, _ method: HTTPRequest.Method, _ suffix: String,
        _ handler: @escaping @Sendable (Request, ModelPath) async throws -> Response
    ) {
        for prefix in ["/v2/models/{model}", "/v2/models/{model}/versions/{version}"] {
            router.on(RouterPath(prefix + suffix), method: method) { request, context in
                try await handler(request, try ModelPath(context))
            }
        }
    }
}

/// The model name and optional version of a `/v2/models/{model}[/versions/{version}]` path.
struct ModelPath: Sendable, CustomStringConvertible {
    var name: String
    var version: Int64?

    init(_ context: some RequestContext) throws(ServingError) {
        guard let name = context.parameters.get("model") else { throw .invalidArgument("the path names no model") }
        self.name = name
        if let text = context.parameters.get("version") {
            guard let version = Int64(text), version >= 0 else {
                throw .invalidArgument("model '\(name)': version '\(text)' is not a non-negative integer")
            }
            self.version = version
        }
    }

    var description: String {
        version.map { "model '\(name)' version \($0)" } ?? "model '\(name)'"
    }
}
