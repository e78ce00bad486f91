import Foundation
import Testing
import SwitchyardEngine
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// Requests merged into batches come back exactly as if each had run alone.
    @Suite struct DynamicBatchingTests {
        typealias Kit = BatchingTestKit

        @Test func concurrentRequestsWithRandomBatchesEachGetTheirOwnRows() async throws {
            let model = try Kit.rowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "rows", maxBatchSize: 8,
                                                         batching: Kit.batching(delayMicroseconds: 2_000)))
            let oracle = try Session(model: model)
            var generator = SplitMix64(seed: 2024)
            var requests: [InferenceRequest] = []
            for index in 0..<64 {
                let rows = Int.random(in: 1...8, using: &generator)
                let outputs = [[], ["y"], ["z"], ["z", "y"]][Int.random(in: 0...3, using: &generator)]
                requests.append(Kit.request("rows", Kit.tensor([rows, 4], &generator), id: "r\(index)", outputs: outputs))
            }
            let results = await Kit.inferConcurrently(served, requests)
            for (request, result) in zip(requests, results) {
                let response = try result.get()
                #expect(response.id == request.id)
                let expectedNames = request.requestedOutputs.isEmpty ? ["y", "z"] : request.requestedOutputs
                #expect(response.outputs.map(\.name) == expectedNames)
                let want = try oracle.run(["x": request.inputs[0].tensor])
                for output in response.outputs {
                    let expected = try #require(want[output.name])
                    #expect(output.tensor.shape == expected.shape, "request \(request.id) output \(output.name)")
                    #expect(Kit.maxRelativeError(output.tensor, expected) < 1e-4, "request \(request.id) output \(output.name)")
                }
            }
            let stats = served.statistics
            let items = requests.reduce(0) { $0 + $1.inputs[0].tensor.shape[0] }
            #expect(stats.success.count == 64)
            #expect(stats.queue.count == 64)
            #expect(stats.inferenceCount == UInt64(items))
            #expect(stats.executionCount < 64, "requests never merged: \(stats.executionCount) executions")
            #expect(stats.computeInfer.count == stats.executionCount)
            #expect(stats.batchStatistics.allSatisfy { $0.batchSize <= 8 })
            #expect(stats.batchStatistics.reduce(0) { $0 + $1.computeInfer.count } == stats.executionCount)
            #expect(served.pendingRequests == 0)
            await served.shutdown()
        }

        @Test func classifierBatchesMatchUnbatchedRuns() async throws {
            guard let path = Kit.classifierPath else {
                print("skipping: the PP-OCR classifier is not in \(Kit.modelsDirectory) (scripts/setup.sh fetches it)")
                return
            }
            let model = try LoadedModel(contentsOf: path)
            let served = try await Kit.serve(model, Kit.config(for: model, name: "cls", maxBatchSize: 4), threads: 2)
            let oracle = try Session(model: model)
            var generator = SplitMix64(seed: 48)
            let requests = (0..<16).map { index in
                Kit.request("cls", Kit.tensor([Int.random(in: 1...4, using: &generator), 3, 48, 192], &generator), id: "c\(index)")
            }
            let results = await Kit.inferConcurrently(served, requests)
            for (request, result) in zip(requests, results) {
                let response = try result.get()
                let want = try oracle.run(["x": request.inputs[0].tensor])
                for output in response.outputs {
                    let expected = try #require(want[output.name])
                    #expect(output.tensor.shape == expected.shape)
                    #expect(Kit.maxRelativeError(output.tensor, expected) < 1e-3, "request \(request.id)")
                }
            }
            let stats = served.statistics
            #expect(stats.success.count == 16)
            #expect(stats.executionCount < 16, "requests never merged under load")
            await served.shutdown()
        }

        /// Queue time as the batcher measured it (arrival to batch start), so a slow machine
        /// delaying the test's own tasks does not count.
        static func queueSeconds(_ served: ServedModel, after previous: ModelStatistics) -> Double {
            Double(served.statistics.queue.nanoseconds - previous.queue.nanoseconds) / 1e9
        }

        @Test func anIdleInstanceNeverWaitsWhenTheDelayIsZero() async throws {
            let model = try Kit.rowModel()
            var generator = SplitMix64(seed: 5)
            // Control: with a 1 s delay a lone request does wait for company…
            let waiting = try await Kit.serve(model, Kit.config(for: model, name: "delayed", maxBatchSize: 8,
                                                                batching: Kit.batching(delayMicroseconds: 1_000_000)))
            var before = waiting.statistics
            _ = try await waiting.infer(Kit.request("delayed", Kit.tensor([1, 4], &generator)))
            let delayed = Self.queueSeconds(waiting, after: before)
            #expect(delayed >= 0.99, "the batcher did not wait its delay (\(delayed) s)")
            await waiting.shutdown()
            // …with delay 0 (and preferred sizes it cannot reach) it runs at once.
            let eager = try await Kit.serve(model, Kit.config(for: model, name: "eager", maxBatchSize: 8,
                                                              batching: Kit.batching(delayMicroseconds: 0, preferred: [4, 8])))
            for _ in 0..<5 {
                before = eager.statistics
                _ = try await eager.infer(Kit.request("eager", Kit.tensor([1, 4], &generator)))
                let queued = Self.queueSeconds(eager, after: before)
                #expect(queued < 0.25, "an idle instance left a request queued \(queued) s with delay 0")
            }
            await eager.shutdown()
        }

        @Test func withoutDynamicBatchingRequestsNeverMerge() async throws {
            let model = try Kit.rowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "single", maxBatchSize: 8, batching: nil))
            var generator = SplitMix64(seed: 9)
            let requests = (0..<24).map { _ in Kit.request("single", Kit.tensor([Int.random(in: 1...8, using: &generator), 4], &generator)) }
            let results = await Kit.inferConcurrently(served, requests)
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            #expect(served.statistics.executionCount == 24)
            #expect(served.batchProfile.choice == .notBatching)
            await served.shutdown()
        }

        @Test func withoutABatchDimensionEachRequestRunsAloneWithTheModelsShapes() async throws {
            let model = try Kit.rowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "plain", maxBatchSize: 0))
            var generator = SplitMix64(seed: 10)
            let requests = (0..<12).map { _ in Kit.request("plain", Kit.tensor([Int.random(in: 1...20, using: &generator), 4], &generator)) }
            let results = await Kit.inferConcurrently(served, requests)
            let oracle = try Session(model: model)
            for (request, result) in zip(requests, results) {
                let got = try #require(try result.get().outputs.first { $0.name == "y" })
                let want = try #require(try oracle.run(["x": request.inputs[0].tensor])["y"])
                #expect(Kit.maxRelativeError(got.tensor, want) < 1e-4)
            }
            #expect(served.statistics.executionCount == 12)
            #expect(served.statistics.inferenceCount == 12)
            await served.shutdown()
        }
    }
}
