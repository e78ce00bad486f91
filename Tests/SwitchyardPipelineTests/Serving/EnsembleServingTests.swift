import Foundation
import SwitchyardPipeline
@testable import SwitchyardServing
import SwitchyardTensor
import Testing

/// A Triton ensemble (config.pbtxt, `ensemble_scheduling`) served through the routing service:
/// the same numbers as its models called one after the other, metadata and readiness as Triton
/// reports them, and concurrent requests that each get their own answer.
@Suite struct EnsembleServingTests {
    typealias Kit = ServedPipelineRepository

    @Test func ensembleGivesTheNumbersOfItsModelsCalledInSequence() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        try repository.write(Kit.chainConfig, to: "config.pbtxt", of: "chain")
        let served = try await repository.serve()
        let routing = served.routing

        let input = Kit.rows(3, columns: 4, seed: 5)
        let response = try await routing.infer(InferenceRequest(id: "req-1", modelName: "chain",
                                                                inputs: [NamedTensor(name: "INPUT", tensor: input)]))
        #expect(response.id == "req-1" && response.modelName == "chain" && response.modelVersion == 1)
        let output = try #require(response.outputs.first)
        #expect(response.outputs.count == 1 && output.name == "OUTPUT" && output.tensor.shape == [3, 2])
        let expected = try await Kit.sequential(input, models: served.manager)
        #expect(expected.contains { $0 != 0 })
        #expect(zip(output.tensor.scalars(as: Float.self), expected).allSatisfy { abs($0 - $1) <= 1e-6 })

        // Described as Triton describes an ensemble; the manager does not see it.
        let metadata = try await routing.modelMetadata(name: "chain", version: nil)
        #expect(metadata.platform == "ensemble" && metadata.versions == ["1"])
        #expect(metadata.inputs == [.init(name: "INPUT", datatype: "FP32", shape: [-1, 4])])
        #expect(metadata.outputs == [.init(name: "OUTPUT", datatype: "FP32", shape: [-1, 2])])
        let config = try await routing.modelConfig(name: "chain", version: 1)
        #expect(config.ensembleScheduling.step.map(\.modelName) == ["second", "first"])
        #expect(await routing.isModelReady(name: "chain", version: nil))
        #expect(await routing.isModelReady(name: "chain", version: 1))
        #expect(!(await routing.isModelReady(name: "chain", version: 2)))
        let index = await routing.repositoryIndex(readyOnly: true)
        #expect(index.map(\.name) == ["chain", "first", "second"] && index.allSatisfy { $0.state == "READY" })
        #expect(await served.manager.repositoryIndex(readyOnly: false).map(\.name) == ["first", "second"])
        let statistics = try await routing.statistics(name: "chain", version: nil)
        #expect(statistics.first?.success.count == 1 && statistics.first?.inferenceCount == 3)

        // Readiness follows the members: with `second` unloaded the ensemble is not ready.
        await served.manager.unload("second", reason: "test", isEviction: false)
        #expect(!(await routing.isModelReady(name: "chain", version: nil)))
        let unavailable = await servingError {
            _ = try await routing.infer(InferenceRequest(modelName: "chain", inputs: [NamedTensor(name: "INPUT", tensor: input)]))
        }
        #expect(unavailable?.kind == .unavailable && unavailable?.message.contains("second") == true)
        await served.shutdown()
    }

    @Test func concurrentRequestsEachGetTheirOwnResult() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        try repository.write(Kit.chainConfig, to: "config.pbtxt", of: "chain")
        let served = try await repository.serve()
        let inputs = (0..<40).map { Kit.rows(1 + $0 % 4, columns: 4, seed: 100 + UInt64($0)) }
        var expected: [[Float]] = []
        for input in inputs { expected.append(try await Kit.sequential(input, models: served.manager)) }

        let routing = served.routing
        let answers = try await withThrowingTaskGroup(of: (Int, InferenceResponse).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask {
                    let request = InferenceRequest(id: "r\(index)", modelName: "chain", inputs: [NamedTensor(name: "INPUT", tensor: input)])
                    return (index, try await routing.infer(request))
                }
            }
            var answers: [Int: InferenceResponse] = [:]
            for try await (index, response) in group { answers[index] = response }
            return answers
        }
        #expect(answers.count == inputs.count)
        for (index, input) in inputs.enumerated() {
            let response = try #require(answers[index])
            #expect(response.id == "r\(index)")
            let output = try #require(response.outputs.first).tensor
            #expect(output.shape == [input.shape[0], 2])
            #expect(zip(output.scalars(as: Float.self), expected[index]).allSatisfy { abs($0 - $1) <= 1e-6 }, "request \(index)")
        }
        await served.shutdown()
    }

    @Test func badRequestsAreRejectedWithTheInputNamed() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        try repository.write(Kit.chainConfig, to: "config.pbtxt", of: "chain")
        let served = try await repository.serve()
        let routing = served.routing
        func request(_ inputs: [NamedTensor], outputs: [String] = [], version: Int64? = nil) -> InferenceRequest {
            InferenceRequest(modelName: "chain", modelVersion: version, inputs: inputs, requestedOutputs: outputs)
        }
        let good = NamedTensor(name: "INPUT", tensor: Kit.rows(2, columns: 4, seed: 9))
        let cases: [(InferenceRequest, ServingError.Kind, String)] = [
            (request([]), .invalidArgument, "lacks input 'INPUT'"),
            (request([NamedTensor(name: "INPUT", tensor: Kit.rows(2, columns: 5, seed: 1))]), .invalidArgument, "must have shape [-1, 4]"),
            (request([NamedTensor(name: "INPUT", tensor: Tensor(shape: [1, 4], scalars: [Int64](repeating: 3, count: 4)))]), .invalidArgument, "must be FP32"),
            (request([NamedTensor(name: "INPUT", tensor: Kit.rows(5, columns: 4, seed: 2))]), .invalidArgument, "max_batch_size"),
            (request([good, NamedTensor(name: "EXTRA", tensor: Kit.rows(2, columns: 4, seed: 3))]), .invalidArgument, "no input 'EXTRA'"),
            (request([good], outputs: ["hidden"]), .invalidArgument, "no output 'hidden'"),
            (request([good], version: 3), .notFound, "no version 3"),
        ]
        for (bad, kind, text) in cases {
            let error = await servingError { _ = try await routing.infer(bad) }
            #expect(error?.kind == kind && error?.message.contains(text) == true, "\(error?.message ?? "no error"), expected \(text)")
        }
        // Still serving.
        #expect(try await routing.infer(request([good])).outputs.first?.tensor.shape == [2, 2])
        await served.shutdown()
    }
}
