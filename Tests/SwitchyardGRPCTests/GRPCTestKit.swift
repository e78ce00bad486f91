import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import SwitchyardTensor
import SwitchyardTestSupport
@testable import SwitchyardGRPC
@testable import SwitchyardServing

/// A real `ModelManager` over a temporary repository holding one batching affine model
/// (`y = x·W + b`, x `[batch, 4]`, y `[batch, 3]`, random weights), served by `KServeGRPCService`
/// and reached through the generated client over grpc-swift's in-process transport.
struct GRPCTestKit {
    /// The served model; `affine.expected(x)` is its answer.
    let affine: AffineModel

    init(seed: UInt64) {
        affine = AffineModel(seed: seed)
    }

    /// Runs `body` with a client of a server whose repository holds the model as `affine`.
    func withClient<Result: Sendable>(
        _ body: @Sendable (Inference_GRPCInferenceService.Client<InProcessTransport.Client>) async throws -> Result
    ) async throws -> Result {
        let repository = try TestRepository(prefix: "grpc-repo")
        defer { repository.remove() }
        try repository.add("affine", model: affine.model())
        var logger = Logger(label: "grpc-tests")
        logger.logLevel = .critical
        let manager = try ModelManager(options: ModelManagerOptions(repositoryPath: repository.path, controlMode: .explicit, threads: 1),
                                       logger: logger)
        await manager.start()  // what the server's service group runs first: the server reports ready after it
        try await manager.loadModel(name: "affine")
        defer { Task { await manager.shutdown() } }

        let transport = InProcessTransport()
        return try await withGRPCServer(transport: transport.server, services: [KServeGRPCService(service: manager)]) { _ in
            try await withGRPCClient(transport: transport.client) { client in
                try await body(Inference_GRPCInferenceService.Client(wrapping: client))
            }
        }
    }

    /// A request for `affine` with `rows` random rows, sent as raw bytes.
    static func request(rows: Int, seed: UInt64, id: String = "") -> (message: Inference_ModelInferRequest, x: [Float]) {
        var generator = SplitMix64(seed: seed)
        let x = (0..<(rows * 4)).map { _ in Float.random(in: -2...2, using: &generator) }
        let message = Inference_ModelInferRequest.with {
            $0.modelName = "affine"
            $0.id = id
            $0.inputs = [.with { $0.name = "x"; $0.datatype = "FP32"; $0.shape = [Int64(rows), 4] }]
            $0.rawInputContents = [x.withUnsafeBytes { Data($0) }]
        }
        return (message, x)
    }

    /// The FP32 elements of a response's first output.
    static func values(_ response: Inference_ModelInferResponse) -> [Float] {
        guard let raw = response.rawOutputContents.first else { return [] }
        return raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

/// The gRPC status code `body` fails with; nil when it succeeds or fails otherwise.
func rpcErrorCode(_ body: () async throws -> Void) async -> RPCError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return nil
    }
}
