import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardServing

/// The KServe v2 HTTP server as a swift-service-lifecycle `Service`: put it in the CLI's
/// `ServiceGroup`; `run()` serves until graceful shutdown, letting in-flight requests finish.
public struct KServeHTTPServer: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
    public init(
        service: any InferenceService,
        configuration: KServeHTTPConfiguration = .init(),
        logger: Logger,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        let router = KServeHTTP.router(service: service, configuration: configuration)
        application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: configuration.serverName),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    public func run() async throws {
        try await application.run()
    }
}
