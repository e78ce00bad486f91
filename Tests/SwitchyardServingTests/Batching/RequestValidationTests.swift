import Testing
import SwitchyardEngine
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// Bad requests fail alone, before queueing, with a message naming what was wrong.
    @Suite struct RequestValidationTests {
        typealias Kit = BatchingTestKit

        static func failure(_ served: ServedModel, _ request: InferenceRequest) async -> ServingError? {
            do throws(ServingError) {
                _ = try await served.infer(request)
                return nil
            } catch {
                return error
            }
        }

        @Test func badRequestsAreRejectedWithActionableMessages() async throws {
            let model = try Kit.rowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "rows", maxBatchSize: 4))
            var generator = SplitMix64(seed: 21)
            let good = Kit.tensor([2, 4], &generator)

            let tooBig = await Self.failure(served, Kit.request("rows", Kit.tensor([5, 4], &generator)))
            #expect(tooBig?.kind == .invalidArgument)
            #expect(tooBig?.message.contains("batch size 5 exceeds max_batch_size 4 of model 'rows'") == true)

            let wrongShape = await Self.failure(served, Kit.request("rows", Kit.tensor([2, 5], &generator)))
            #expect(wrongShape?.kind == .invalidArgument)
            #expect(wrongShape?.message.contains("input 'x'") == true)
            #expect(wrongShape?.message.contains("[2, 5]") == true)

            let wrongType = await Self.failure(served, InferenceRequest(modelName: "rows", inputs: [
                NamedTensor(name: "x", tensor: Tensor(shape: [2, 4], scalars: [Int32](repeating: 1, count: 8)))]))
            #expect(wrongType?.kind == .invalidArgument)
            #expect(wrongType?.message.contains("float") == true)
            #expect(wrongType?.message.contains("int32") == true)

            let missing = await Self.failure(served, InferenceRequest(modelName: "rows", inputs: []))
            #expect(missing?.message.contains("missing input 'x'") == true)

            let unknown = await Self.failure(served, InferenceRequest(modelName: "rows", inputs: [
                NamedTensor(name: "x", tensor: good), NamedTensor(name: "extra", tensor: good)]))
            #expect(unknown?.message.contains("'extra'") == true)

            let twice = await Self.failure(served, InferenceRequest(modelName: "rows", inputs: [
                NamedTensor(name: "x", tensor: good), NamedTensor(name: "x", tensor: good)]))
            #expect(twice?.message.contains("more than once") == true)

            let noSuchOutput = await Self.failure(served, Kit.request("rows", good, outputs: ["y", "nope"]))
            #expect(noSuchOutput?.kind == .invalidArgument)
            #expect(noSuchOutput?.message.contains("no output 'nope'") == true)

            let empty = await Self.failure(served, Kit.request("rows", Tensor(shape: [0, 4], scalars: [Float]())))
            #expect(empty?.message.contains("batch size 0") == true)

            // None of that disturbed the model.
            let response = try await served.infer(Kit.request("rows", good, outputs: ["z"]))
            #expect(response.outputs.map(\.name) == ["z"])
            #expect(served.statistics.fail.count == 8)
            #expect(served.statistics.success.count == 1)
            await served.shutdown()
        }

        @Test func configDimsNarrowTheModelsFreeDims() async throws {
            guard let path = Kit.classifierPath else { return }
            let model = try LoadedModel(contentsOf: path)
            var config = Kit.config(for: model, name: "cls", maxBatchSize: 2)
            config.input[0].dims = [3, 48, 192]
            let served = try await Kit.serve(model, config)
            var generator = SplitMix64(seed: 22)
            let error = await Self.failure(served, Kit.request("cls", Kit.tensor([1, 3, 48, 100], &generator)))
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message.contains("[3, 48, 192]") == true)
            await served.shutdown()
        }
    }
}
