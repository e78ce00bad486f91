import GRPCCore
import GRPCNIOTransportHTTP2TransportServices
import Logging
import NIOPosix
import ServiceLifecycle
import SwitchyardServing

/// Where and how the gRPC endpoint listens.
public struct KServeGRPCConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (`onServerRunning` reports it).
    public var port: Int
    /// Largest request message accepted, in bytes; larger ones are refused with RESOURCE_EXHAUSTED.
    public var maxMessageBytes: Int

    public init(host: String = "0.0.0.0", port: Int = 8001, maxMessageBytes: Int = 64 << 20) {
        self.host = host
        self.port = port
        self.maxMessageBytes = maxMessageBytes
    }
}

/// The KServe v2 gRPC server (Triton's `inference.GRPCInferenceService`, plaintext HTTP/2) as a
/// swift-service-lifecycle `Service`: put it in the CLI's `ServiceGroup`; `run()` serves until
/// graceful shutdown, which stops accepting RPCs and lets the ones in flight finish.
public struct KServeGRPCServer: Service {
    private let service: any InferenceService
    private let configuration: KServeGRPCConfiguration
    private let logger: Logger
    private let onServerRunning: @Sendable (_ port: Int) async -> Void

    /// - Parameters:
    ///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
    public init(
        service: any InferenceService,
        configuration: KServeGRPCConfiguration = .init(),
        logger: Logger,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        self.onServerRunning = onServerRunning
    }

    public func run() async throws {
        var config = HTTP2ServerTransport.Custom<PlaintextListenerFactory>.Config.defaults
        config.rpc.maxRequestPayloadSize = configuration.maxMessageBytes
        // HTTP/2's default 64 KiB window makes a client stop mid-tensor and wait for a window
        // update on every request larger than that (a 3×48×192 float image is 110 KiB); the
        // flow-control window and frame size sized for tensors let a request arrive in one go.
        config.http2.targetWindowSize = 8 << 20
        config.http2.maxFrameSize = 1 << 20
        let transport = HTTP2ServerTransport.Custom(
            listenerFactory: PlaintextListenerFactory(host: configuration.host, port: configuration.port,
                                                      eventLoopGroup: MultiThreadedEventLoopGroup.singleton),
            config: config)
        let server = GRPCServer(transport: transport, services: [KServeGRPCService(service: service)])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                let address = await transport.listeningAddress
                if let port = address?.ipv4?.port ?? address?.ipv6?.port {
                    logger.info("gRPC server listening", metadata: ["port": "\(port)"])
                    await onServerRunning(port)
                }
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
