import Foundation
import SwitchyardPipeline
@testable import SwitchyardServing
import SwitchyardTensor
import Testing

/// Poll mode for pipelines: a scan builds new ones, rebuilds changed ones, retries broken ones and
/// stops those whose directory is gone; the others keep serving throughout.
@Suite struct PipelinePollTests {
    typealias Kit = ServedPipelineRepository

    /// The ensemble of only `first` (OUTPUT has its 3 columns).
    static let firstOnly = """
        platform: "ensemble"
        max_batch_size: 4
        input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "OUTPUT" data_type: TYPE_FP32 dims: [ 3 ] } ]
        ensemble_scheduling {
          step [ { model_name: "first" model_version: -1 input_map { key: "x" value: "INPUT" } output_map { key: "y" value: "OUTPUT" } } ]
        }
        """

    func columns(_ routing: RoutingInferenceService, _ name: String) async throws -> Int? {
        let input = Kit.rows(2, columns: 4, seed: 17)
        let response = try await routing.infer(InferenceRequest(modelName: name, inputs: [NamedTensor(name: "INPUT", tensor: input)]))
        return response.outputs.first?.tensor.shape.last
    }

    @Test func pollFollowsTheRepositorysPipelines() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        try repository.write(Kit.chainConfig, to: "config.pbtxt", of: "chain")
        let served = try await repository.serve()
        let routing = served.routing
        #expect(try await columns(routing, "chain") == 2)

        // A new ensemble appears, an existing one changes, a broken one is listed with its error.
        try repository.write(Self.firstOnly, to: "config.pbtxt", of: "added")
        try repository.write(Self.firstOnly, to: "config.pbtxt", of: "chain")
        try repository.write(Self.firstOnly.replacingOccurrences(of: "\"first\"", with: "\"missing\""), to: "config.pbtxt", of: "broken")
        await routing.poll()
        #expect(try await columns(routing, "added") == 3)
        #expect(try await columns(routing, "chain") == 3)
        let broken = await routing.repositoryIndex(readyOnly: false).first { $0.name == "broken" }
        #expect(broken?.state == "UNAVAILABLE" && broken?.reason.contains("missing") == true)

        // Fixed, it serves at the next scan; a removed directory stops being served.
        try repository.write(Self.firstOnly, to: "config.pbtxt", of: "broken")
        try FileManager.default.removeItem(atPath: "\(repository.path)/added")
        await routing.poll()
        #expect(try await columns(routing, "broken") == 3)
        let gone = await servingError { _ = try await columns(routing, "added") }
        #expect(gone?.kind == .notFound)
        #expect(await routing.repositoryIndex(readyOnly: false).map(\.name) == ["broken", "chain", "first", "second"])

        // An unchanged repository rebuilds nothing: the same pipeline keeps its statistics.
        let before = try await routing.statistics(name: "chain", version: nil).first?.success.count
        await routing.poll()
        #expect(try await routing.statistics(name: "chain", version: nil).first?.success.count == before)
        await served.shutdown()
    }

    /// The request path remembers which directories hold models (so it does not re-read their
    /// config per request); a poll forgets that, so a directory that became a pipeline serves as one.
    @Test func aModelDirectoryThatBecomesAPipelineServesAfterAPoll() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        let served = try await repository.serve()
        let routing = served.routing
        try repository.write("platform: \"onnxruntime_onnx\"\nmax_batch_size: 4\n", to: "config.pbtxt", of: "late")
        let asModel = await servingError { _ = try await columns(routing, "late") }
        #expect(asModel?.kind == .notFound)

        try repository.write(Self.firstOnly, to: "config.pbtxt", of: "late")
        await routing.poll()
        #expect(try await columns(routing, "late") == 3)
        await served.shutdown()
    }
}
