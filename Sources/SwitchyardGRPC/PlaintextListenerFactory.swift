import GRPCNIOTransportHTTP2TransportServices
import NIOCore
import NIOPosix

/// Accepts plaintext TCP connections for grpc-swift's HTTP/2 server transport
/// (`HTTP2ServerTransport.Custom`): what grpc-swift's Posix transport does without TLS, on
/// NIOPosix alone, so the server does not link swift-nio-ssl (see Package.swift).
struct PlaintextListenerFactory: HTTP2ServerTransport.ListenerFactory {
    let host: String
    let port: Int
    let eventLoopGroup: any EventLoopGroup

    func makeListeningChannel(
        listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
        connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
    ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
        try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in listenerConfigurator.configure(channel: channel) }
            .bind(host: host, port: port) { channel in connectionConfigurator.configure(channel: channel, tls: .none) }
    }
}
