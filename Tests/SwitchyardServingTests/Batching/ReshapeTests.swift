import Testing
import SwitchyardEngine
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// A config `reshape`: clients send and receive the config's dims, the model sees its own.
    @Suite struct ReshapeTests {
        typealias Kit = BatchingTestKit

        static func reshape(_ shape: [Int64]) -> Inference_ModelTensorReshape {
            var reshape = Inference_ModelTensorReshape()
            reshape.shape = shape
            return reshape
        }

        @Test func inputsAndOutputsAreReshapedBothWays() async throws {
            let model = try Kit.rowModel()
            var config = Kit.config(for: model, name: "rows", maxBatchSize: 4)
            config.input[0].dims = [2, 2]
            config.input[0].reshape = Self.reshape([4])
            config.output[0].dims = [3, 1]
            config.output[0].reshape = Self.reshape([3])
            config.output[1].dims = [-1]
            config.output[1].reshape = Self.reshape([2])
            let served = try await Kit.serve(model, config)
            var generator = SplitMix64(seed: 5)
            let x = Kit.tensor([3, 2, 2], &generator)

            let response = try await served.infer(Kit.request("rows", x))
            let expected = try Session(model: model).run(["x": x.reshaped([3, 4])])
            let y = try #require(response.outputs.first { $0.name == "y" }).tensor
            let z = try #require(response.outputs.first { $0.name == "z" }).tensor
            #expect(y.shape == [3, 3, 1] && z.shape == [3, 2])
            #expect(try y.scalars(as: Float.self) == expected["y"]!.scalars(as: Float.self))
            #expect(try z.scalars(as: Float.self) == expected["z"]!.scalars(as: Float.self))

            let wrong = await RequestValidationTests.failure(served, Kit.request("rows", Kit.tensor([3, 4], &generator)))
            #expect(wrong?.kind == .invalidArgument)
            #expect(wrong?.message.contains("must have shape [2, 2]") == true, "clients are held to the config's dims")
            await served.shutdown()
        }
    }
}
