import Foundation
import GRPCCore
import SwitchyardServing
import Testing
@testable import SwitchyardGRPC

/// Every implemented RPC of `inference.GRPCInferenceService`, through the generated client and
/// grpc-swift's serialization, against a real model manager.
@Suite struct GRPCServiceTests {
    @Test func inferWithRawContentsMatchesTheModel() async throws {
        let kit = GRPCTestKit(seed: 1)
        let (message, x) = GRPCTestKit.request(rows: 3, seed: 2, id: "req-7")
        let response = try await kit.withClient { try await $0.modelInfer(message) }
        #expect(response.id == "req-7")
        #expect(response.modelName == "affine")
        #expect(response.modelVersion == "1")
        #expect(response.outputs.map(\.name) == ["y"])
        #expect(response.outputs.first?.datatype == "FP32")
        #expect(response.outputs.first?.shape == [3, 3])
        let values = GRPCTestKit.values(response)
        let expected = kit.affine.expected(x)
        #expect(values.count == expected.count)
        for (value, reference) in zip(values, expected) {
            #expect(abs(value - reference) <= 1e-5 * max(1, abs(reference)))
        }
    }

    @Test func typedContentsGiveTheSameAnswerAsRawBytes() async throws {
        let kit = GRPCTestKit(seed: 3)
        let (message, x) = GRPCTestKit.request(rows: 2, seed: 4)
        var typedMessage = message
        typedMessage.rawInputContents = []
        typedMessage.inputs[0].contents = .with { $0.fp32Contents = x }
        let sent = typedMessage
        let (raw, typed) = try await kit.withClient { client in
            (try await client.modelInfer(message), try await client.modelInfer(sent))
        }
        #expect(GRPCTestKit.values(typed) == GRPCTestKit.values(raw))
        #expect(GRPCTestKit.values(typed).count == 6)
    }

    @Test func healthMetadataConfigAndRepositoryIndex() async throws {
        let kit = GRPCTestKit(seed: 5)
        try await kit.withClient { client in
            #expect(try await client.serverLive(.init()).live)
            #expect(try await client.serverReady(.init()).ready)
            #expect(try await client.modelReady(.with { $0.name = "affine" }).ready)
            #expect(try await client.modelReady(.with { $0.name = "affine"; $0.version = "1" }).ready)
            #expect(try await !client.modelReady(.with { $0.name = "nothing" }).ready)

            let server = try await client.serverMetadata(.init())
            #expect(server.name == "switchyard")
            #expect(server.extensions.contains("statistics"))

            let metadata = try await client.modelMetadata(.with { $0.name = "affine" })
            #expect(metadata.versions == ["1"])
            #expect(metadata.inputs.map(\.name) == ["x"])
            #expect(metadata.inputs.first?.datatype == "FP32")
            #expect(metadata.inputs.first?.shape == [-1, 4])
            #expect(metadata.outputs.first?.shape == [-1, 3])

            let config = try await client.modelConfig(.with { $0.name = "affine" }).config
            #expect(config.name == "affine")
            #expect(config.maxBatchSize > 0)
            #expect(config.input.map(\.name) == ["x"])

            let index = try await client.repositoryIndex(.init()).models
            #expect(index.map(\.name) == ["affine"])
            #expect(index.first?.state == "READY")
        }
    }

    @Test func statisticsCountTheRequestsServed() async throws {
        let kit = GRPCTestKit(seed: 6)
        let stats = try await kit.withClient { client in
            for seed in 0..<3 { _ = try await client.modelInfer(GRPCTestKit.request(rows: 1, seed: UInt64(seed)).message) }
            return try await client.modelStatistics(.with { $0.name = "affine" }).modelStats
        }
        #expect(stats.count == 1)
        #expect(stats.first?.name == "affine")
        #expect(stats.first?.version == "1")
        #expect(stats.first?.inferenceCount == 3)
        #expect(stats.first?.inferenceStats.success.count == 3)
        #expect(stats.first?.inferenceStats.queue.count == 3)
        #expect((stats.first?.lastInference ?? 0) > 0)
    }

    @Test func loadAndUnloadInExplicitMode() async throws {
        let kit = GRPCTestKit(seed: 8)
        try await kit.withClient { client in
            _ = try await client.repositoryModelUnload(.with { $0.modelName = "affine" })
            #expect(try await !client.modelReady(.with { $0.name = "affine" }).ready)
            #expect(await rpcErrorCode { _ = try await client.modelInfer(GRPCTestKit.request(rows: 1, seed: 1).message) } != nil)
            _ = try await client.repositoryModelLoad(.with { $0.modelName = "affine" })
            #expect(try await client.modelReady(.with { $0.name = "affine" }).ready)
            #expect(await rpcErrorCode {
                _ = try await client.repositoryModelLoad(.with { $0.modelName = "affine"; $0.parameters["config"] = .with { $0.stringParam = "{}" } })
            } == .invalidArgument)
        }
    }
}
