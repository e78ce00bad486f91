import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor
@testable import SwitchyardGRPC
@testable import SwitchyardServing

/// A real `ModelManager` over a temporary repository holding one batching affine model
/// (`y = x·W + b`, x `[batch, 4]`, y `[batch, 3]`, random weights), served by `KServeGRPCService`
/// and reached through the generated client over grpc-swift's in-process transport.
struct GRPCTestKit {
    let weights: [Float]
    let bias: [Float]

    init(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        weights = (0..<12).map { _ in Float.random(in: -1...1, using: &generator) }
        bias = (0..<3).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    var model: Model {
        let graph = Graph(
            name: "affine",
            nodes: [Node(name: "matmul", opType: "MatMul", inputs: ["x", "w"], outputs: ["xw"]),
                    Node(name: "add", opType: "Add", inputs: ["xw", "b"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("batch"), .fixed(4)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("batch"), .fixed(3)])],
            initializers: ["w": Tensor(shape: [4, 3], scalars: weights), "b": Tensor(shape: [3], scalars: bias)])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    /// `x·W + b` computed here, row by row.
    func expected(_ x: [Float]) -> [Float] {
        var y: [Float] = []
        for row in 0..<(x.count / 4) {
            for column in 0..<3 {
                var sum = bias[column]
                for k in 0..<4 { sum += x[row * 4 + k] * weights[k * 3 + column] }
                y.append(sum)
            }
        }
        return y
    }

    /// Runs `body` with a client of a server whose repository holds the model as `affine`.
    func withClient<Result: Sendable>(
        _ body: @Sendable (Inference_GRPCInferenceService.Client<InProcessTransport.Client>) async throws -> Result
    ) async throws -> Result {
        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-repo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(repository)/affine/1", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: repository) }
        try ModelWriter.serialize(model).write(to: URL(fileURLWithPath: "\(repository)/affine/1/model.onnx"))
        var logger = Logger(label: "grpc-tests")
        logger.logLevel = .critical
        let manager = try ModelManager(options: ModelManagerOptions(repositoryPath: repository, controlMode: .explicit, threads: 1),
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
