import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// The load-time profile: measured sizes, the choice, and the config's override.
    @Suite struct BatchProfileTests {
        typealias Kit = BatchingTestKit

        @Test func theChoiceIsTheLargestSizeWithinFivePercentOfTheBest() {
            func measured(_ itemsPerSecond: [Int: Double]) -> [BatchProfile.Measurement] {
                itemsPerSecond.map { .init(batchSize: $0.key, millisecondsPerBatch: Double($0.key) * 1000 / $0.value) }
            }
            // Throughput flattens after 4: as fast per item, the bigger batch saves per-call costs.
            #expect(BatchProfile.bestBatchSize(of: measured([1: 100, 2: 180, 4: 200, 8: 205]), maxBatchSize: 8) == 8)
            // Past the flat part a bigger batch costs throughput: it stops there.
            #expect(BatchProfile.bestBatchSize(of: measured([1: 100, 2: 180, 4: 200, 8: 196, 16: 150]), maxBatchSize: 16) == 8)
            // A noisy plateau (the classifier's profile on a busy machine) does not stop the batch at 2.
            #expect(BatchProfile.bestBatchSize(of: measured([1: 733, 2: 1344, 4: 1361, 8: 1313, 16: 1348]), maxBatchSize: 16) == 16)
            // Bigger batches are slower per item (the PP-OCR detector on ONNX Runtime).
            #expect(BatchProfile.bestBatchSize(of: measured([1: 10.9, 2: 10.1, 4: 9.6, 8: 9.2]), maxBatchSize: 8) == 1)
            // Still paying at the top.
            #expect(BatchProfile.bestBatchSize(of: measured([1: 100, 2: 190, 4: 350, 8: 600]), maxBatchSize: 8) == 8)
            // Time ran out while bigger batches still paid: nothing says they stop paying.
            #expect(BatchProfile.bestBatchSize(of: measured([1: 100, 2: 190]), maxBatchSize: 8) == 8)
            #expect(BatchProfile.bestBatchSize(of: measured([1: 100]), maxBatchSize: 8) == 8)
            // …but a measured drop is believed.
            #expect(BatchProfile.bestBatchSize(of: measured([1: 100, 2: 80]), maxBatchSize: 8) == 1)
            #expect(BatchProfile.bestBatchSize(of: [], maxBatchSize: 8) == nil)
        }

        @Test func profilingMeasuresEachSizeAndLimitsBatches() async throws {
            let model = try Kit.rowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "rows", maxBatchSize: 8,
                                                         batching: Kit.batching(delayMicroseconds: 5_000)))
            let profile = served.batchProfile
            #expect(profile.choice == .measured)
            #expect(profile.measurements.map(\.batchSize) == [1, 2, 4, 8])
            #expect(profile.measurements.allSatisfy { $0.millisecondsPerBatch > 0 })
            #expect([1, 2, 4, 8].contains(profile.chosenBatchSize))
            #expect(profile.description.contains("chosen batch size \(profile.chosenBatchSize)"))
            // Under load the batcher never grows a batch past the chosen size (a single request
            // may still carry more items).
            var generator = SplitMix64(seed: 41)
            let requests = (0..<32).map { _ in Kit.request("rows", Kit.tensor([1, 4], &generator)) }
            _ = await Kit.inferConcurrently(served, requests)
            #expect(served.statistics.batchStatistics.allSatisfy { $0.batchSize <= profile.chosenBatchSize })
            await served.shutdown()
        }

        /// A model that is not profiled runs one warm-up batch per instance at load (so its first
        /// request does not compile the plan); the warm-up is not counted as an inference. A
        /// model whose inputs cannot be made up skips it and still serves.
        @Test func unprofiledModelsWarmUpAtLoad() async throws {
            let model = try Kit.rowModel()
            let config = Kit.config(for: model, name: "rows", maxBatchSize: 4, batching: nil, instances: 2)
            let served = try await Kit.serve(model, config, threads: 2)
            #expect(served.batchProfile.choice == .notBatching)
            #expect((served.warmUpMilliseconds ?? 0) > 0)
            #expect(served.statistics.inferenceCount == 0 && served.statistics.executionCount == 0)
            await served.shutdown()

            // Free dims the config does not fix: nothing to warm up with.
            let slow = try Kit.slowModel(layers: 1)
            let unwarmed = try await Kit.serve(slow, Kit.config(for: slow, name: "slow", maxBatchSize: 4, batching: nil))
            #expect(unwarmed.warmUpMilliseconds == nil)
            var generator = SplitMix64(seed: 43)
            let response = try await unwarmed.infer(Kit.request("slow", Kit.slowInput(length: 2, &generator)))
            #expect(response.outputs.first?.tensor.shape == [1, 2, Kit.slowWidth])
            await unwarmed.shutdown()
        }

        @Test func anExplicitPreferredSizeOverridesTheProfile() async throws {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 8,
                                                               batching: Kit.batching(delayMicroseconds: 10_000_000, preferred: [2, 6])))
            #expect(served.batchProfile.choice == .configured)
            #expect(served.batchProfile.chosenBatchSize == 6)
            // Seven single items queue behind a long request; when the instance comes free the
            // batcher runs the preferred 6 at once (not all 7, not after the 10 s delay)…
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 42)
            let requests = (0..<7).map { Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "p\($0)") }
            let sent = requests.map { request in Task { try? await served.infer(request) } }
            try #require(await Kit.waitUntil { served.queuedRequests == 7 })
            #expect(served.pendingRequests == 8, "the blocker finished before the requests were queued")
            _ = await blocker.value
            for task in sent.prefix(6) { #expect(await task.value != nil) }
            let sizes = served.statistics.batchStatistics.map(\.batchSize)
            #expect(sizes == [1, 6], "batch sizes \(sizes)")
            // …and the seventh waits for company until the delay (shutdown ends the wait).
            #expect(served.queuedRequests == 1)
            await served.shutdown()
            #expect(await sent[6].value != nil)
        }

        @Test func theClassifierProfileFitsTheBudget() async throws {
            guard let path = Kit.classifierPath else { return }
            let model = try LoadedModel(contentsOf: path)
            let start = secondsNow()
            // The model leaves height and width free; its config fixes them, as a real one would.
            var config = Kit.config(for: model, name: "cls", maxBatchSize: 8)
            config.input[0].dims = [3, 48, 192]
            let served = try await Kit.serve(model, config, threads: 2)
            let loadSeconds = secondsNow() - start
            let profile = served.batchProfile
            #expect(profile.choice == .measured)
            #expect(profile.measurements.first?.batchSize == 1)
            #expect(loadSeconds < 10, "profiling took \(loadSeconds) s")
            print("classifier batch profile: \(profile)")
            #expect(served.memoryBytes > model.weightBytes)
            await served.shutdown()
        }

        @Test func freeDimsWithoutAConfigSizeSkipTheProfile() async throws {
            let graph = Graph(nodes: [Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"])],
                              inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .symbolic("K")])],
                              outputs: [ValueInfo(name: "y")])
            let model = try LoadedModel(model: Model(opsetImports: ["": 17], graph: graph))
            var config = Kit.config(for: model, name: "free", maxBatchSize: 4)
            #expect(config.input[0].dims == [-1])
            let skipped = try await Kit.serve(model, config)
            guard case .skipped(let reason) = skipped.batchProfile.choice else {
                Issue.record("profiled a model with a free dim: \(skipped.batchProfile)")
                return
            }
            #expect(reason.contains("input 'x' dimension 1"))
            #expect(skipped.batchProfile.chosenBatchSize == 4)
            await skipped.shutdown()
            // A size in the config dims is enough.
            config.input[0].dims = [16]
            let measured = try await Kit.serve(model, config)
            #expect(measured.batchProfile.choice == .measured)
            await measured.shutdown()
        }
    }
}
