import Foundation
import Logging
import Testing
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardPipeline
import SwitchyardServing
import SwitchyardTensor

/// Model stages go through a real `ModelManager` (and its batcher); a request that fails becomes
/// an error event for its item only.
@Suite struct ModelStageTests {
    /// y = x · W + b, x [batch, 4] → y [batch, 3].
    static func affine(weights: [Float], bias: [Float]) -> Model {
        let graph = Graph(
            name: "affine",
            nodes: [Node(name: "matmul", opType: "MatMul", inputs: ["x", "w"], outputs: ["xw"]),
                    Node(name: "add", opType: "Add", inputs: ["xw", "b"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("batch"), .fixed(4)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("batch"), .fixed(3)])],
            initializers: ["w": Tensor(shape: [4, 3], scalars: weights), "b": Tensor(shape: [3], scalars: bias)])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    @Test func failingRequestBecomesAnErrorEventAndTheRestGoesOn() async throws {
        var generator = SplitMix64(seed: 17)
        let weights = (0..<12).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = (0..<3).map { _ in Float.random(in: -1...1, using: &generator) }
        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-repo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(repository)/affine/1", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: repository) }
        try ModelWriter.serialize(Self.affine(weights: weights, bias: bias))
            .write(to: URL(fileURLWithPath: "\(repository)/affine/1/model.onnx"))
        let manager = try ModelManager(options: ModelManagerOptions(repositoryPath: repository, controlMode: .explicit, threads: 1),
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
            repository: \(repository)
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
            let y = (0..<3).map { j in (0..<4).reduce(bias[j]) { $0 + x[$1] * weights[$1 * 3 + j] } }
            let best = y.indices.max { y[$0] < y[$1] }!
            #expect(event.label == "class \(best)")
            #expect(abs((event.score ?? .nan) - y[best]) < 1e-4)
        }
        #expect(summary.errors == 1)
    }
}
