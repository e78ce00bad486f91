import Hummingbird
import SwitchyardServing

extension KServeRoutes {
    /// `GET /v2/health/live`, `GET /v2/health/ready`, `GET /v2`. Not live/ready → 400 with an
    /// error body, as Triton answers (clients only test for 200).
    func addHealthRoutes(to router: Router<Context>) {
        let service = service
        router.get("/v2/health/live") { _, _ in
            service.isLive ? KServeResponse.empty() : KServeResponse.error("server is not live", status: .badRequest)
        }
        router.get("/v2/health/ready") { _, _ in
            service.isReady ? KServeResponse.empty() : KServeResponse.error("server is not ready", status: .badRequest)
        }
        router.get("/v2") { _, _ in
            let metadata = service.serverMetadata
            var w = JSONWriter()
            w.raw("{\"name\":")
            w.string(metadata.name)
            w.raw(",\"version\":")
            w.string(metadata.version)
            w.raw(",\"extensions\":")
            w.array(metadata.extensions) { $0.string($1) }
            w.raw("}")
            return KServeResponse.json(w)
        }
    }
}
