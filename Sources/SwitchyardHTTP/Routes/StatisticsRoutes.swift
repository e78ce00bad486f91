import Hummingbird
import SwitchyardServing

extension KServeRoutes {
    /// `GET /v2/models/stats` (every loaded model) and `GET /v2/models/{m}[/versions/{v}]/stats`.
    func addStatisticsRoutes(to router: Router<Context>) {
        let service = service
        router.get("/v2/models/stats") { _, _ in
            var w = JSONWriter(capacity: 1024)
            StatisticsJSON.write(try await service.statistics(name: nil, version: nil), to: &w)
            return KServeResponse.json(w)
        }
        onModel(router, .get, "/stats") { _, model in
            var w = JSONWriter(capacity: 1024)
            StatisticsJSON.write(try await service.statistics(name: model.name, version: model.version), to: &w)
            return KServeResponse.json(w)
        }
    }
}
