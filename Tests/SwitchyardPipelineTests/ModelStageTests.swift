import Foundation
import Logging
import Testing
import SwitchyardPipeline
import SwitchyardServing
import SwitchyardTensor
import SwitchyardTestSupport

/// Model stages go through a real `ModelManager` (and its batcher); a request that fails becomes
/// an error event for its item only.
@Suite struct ModelStageTests {
    @Test func failingRequestBecomesAnErrorEventAndTheRestGoesOn() async throws {
        var generator = SplitMix64(seed: 17)
        let weights = (0..<12).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = (0..<3).map { _ in Float.random(in: -1...1, using: &generator) }
        let affine = AffineModel(weights: weights, bias: bias)
        let repository = try TestRepository(prefix: "pipeline-repo")
        defer { repository.remove() }
        try repository.add("affine", model: affine.model())
        let manager = try ModelManager(options: ModelManagerOptions(repositoryPath: repository.path, controlMode: .explicit, threads: 1),
                                       logger: Logger(label: "pipeline-tests"))
        try await manager.loadModel(name: "affine")

        var registry = ProcessorRegistry()
        registry.register("argmax") { options throws(PipelineError) in
            let name = try options.string("value")
            return ClosureProcessor { item throws(PipelineError) in
                let scores = try item.tensor(name).scalars(as: Float.self)
                let best = scores.indices.max { scores[$0] < scores[$1] }!
                var next = item
                next["label"] = .label("class \(best)", score: scores[best])
                return [next]
            }
        }
        let spec = """
            name: affine
            repository: \(repository.path)
            stages:
              - {name: in, type: source, kind: api}
              - {name: model, type: model, model: affine, inputs: [in], workers: 3, input_map: {features: x}, output_map: {y: scores}}
              - {name: best, type: processor, processor: argmax, inputs: [model], options: {value: scores}}
              - {name: out, type: sink, kind: collector, inputs: [best]}
            """
        let inputs = (0..<40).map { frame in
            // Frame 13 has five features: the model rejects it.
            (0..<(frame == 13 ? 5 : 4)).map { _ in Float.random(in: -2...2, using: &generator) }
        }
        let pipeline = try Pipeline(SpecLoader.load(yaml: spec, file: "affine.yaml"), registry: registry, service: manager)
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: inputs.count) { frame in
            ["features": .tensor(Tensor(shape: [1, inputs[frame].count], scalars: inputs[frame]))]
        }
        let summary = await pipeline.wait()
        await manager.shutdown()

        let events = try #require(pipeline.collector("out")).events
        #expect(events.map(\.frame) == Array(0..<40))
        for event in events {
            if event.frame == 13 {
                #expect(event.stage == "model" && event.error?.contains("model 'affine'") == true, "\(event)")
                continue
            }
            let x = inputs[event.frame]
            let y = affine.expected(x)
            let best = y.indices.max { y[$0] < y[$1] }!
            #expect(event.label == "class \(best)")
            #expect(abs((event.score ?? .nan) - y[best]) < 1e-4)
        }
        #expect(summary.errors == 1)
    }
}
