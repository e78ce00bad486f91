import Hummingbird
import SwitchyardServing

/// The KServe v2 / Open Inference Protocol HTTP frontend (Hummingbird 2).
///
/// Routes (all answer errors as `{"error": "..."}`): `GET /v2/health/live|ready`, `GET /v2`,
/// `GET /v2/models/{m}[/versions/{v}]`, `…/ready`, `…/config`, `POST …/infer`,
/// `GET /v2/models/stats`, `GET /v2/models/{m}[/versions/{v}]/stats`, `POST /v2/repository/index`,
/// `POST /v2/repository/models/{m}/load|unload`.
public enum KServeHTTP {
    /// The router serving every KServe route over `service`; `KServeHTTPServer` runs it, tests
    /// drive it in process with HummingbirdTesting's `app.test(.router)`.
    public static func router<Context: RequestContext>(
        service: any InferenceService,
        configuration: KServeHTTPConfiguration = .init(),
        context: Context.Type = BasicRequestContext.self
    ) -> Router<Context> {
        let router = Router(context: Context.self)
        KServeRoutes<Context>(service: service, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        return router
    }
}

/// Settings of the HTTP frontend.
public struct KServeHTTPConfiguration: Sendable {
    /// Address to bind; "0.0.0.0" serves every interface.
    public var host: String
    /// TCP port (KServe/Triton default 8000; 0 picks a free one).
    public var port: Int
    /// Largest request body accepted, before and after gzip/deflate decompression; larger → 413.
    public var maxBodyBytes: Int
    /// The `Server` response header.
    public var serverName: String

    public init(host: String = "0.0.0.0", port: Int = 8000, maxBodyBytes: Int = 64 << 20, serverName: String = "switchyard") {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.serverName = serverName
    }
}
