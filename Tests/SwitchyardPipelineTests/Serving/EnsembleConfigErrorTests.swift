import Foundation
import SwitchyardPipeline
import SwitchyardServing
import Testing

/// Ensemble configs Switchyard refuses, each with a message that names the file and the field;
/// the broken ensemble is listed unavailable with that reason while the models keep serving.
@Suite struct EnsembleConfigErrorTests {
    typealias Kit = ServedPipelineRepository

    /// An ensemble over first/second with `steps` (the bodies of `step [ … ]`) and the given
    /// inputs/outputs.
    static func config(steps: [String], input: String = "INPUT", output: String = "OUTPUT", extra: String = "") -> String {
        """
        platform: "ensemble"
        max_batch_size: 4
        input [ { name: "\(input)" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "\(output)" data_type: TYPE_FP32 dims: [ 2 ] } ]
        \(extra)
        ensemble_scheduling { step [ \(steps.map { "{ \($0) }" }.joined(separator: ", ")) ] }
        """
    }

    static let first = #"model_name: "first" input_map { key: "x" value: "INPUT" } output_map { key: "y" value: "hidden" }"#
    static let second = #"model_name: "second" input_map { key: "h" value: "hidden" } output_map { key: "z" value: "OUTPUT" }"#

    static let cases: [(name: String, config: String, expected: [String])] = [
        ("cycle", config(steps: [
            #"model_name: "first" input_map { key: "x" value: "back" } output_map { key: "y" value: "hidden" }"#,
            #"model_name: "second" input_map { key: "h" value: "hidden" } output_map { key: "z" value: "back" }"#,
            #"model_name: "second" input_map { key: "h" value: "hidden" } output_map { key: "z" value: "OUTPUT" }"#,
        ], input: "INPUT"), ["bad/config.pbtxt", "ensemble_scheduling", "cycle", "step[0] (model 'first') needs 'back' from step[1] (model 'second'), which needs 'hidden' from step[0]"]),
        ("unknown model", config(steps: [first, #"model_name: "third" input_map { key: "h" value: "hidden" } output_map { key: "z" value: "OUTPUT" }"#]),
         ["bad/config.pbtxt", "step[1] (model 'third')", "model_name", "no model 'third'"]),
        ("unproduced tensor", config(steps: [first, #"model_name: "second" input_map { key: "h" value: "hiden" } output_map { key: "z" value: "OUTPUT" }"#]),
         ["bad/config.pbtxt", "step[1] (model 'second')", "input_map", "'hiden'", "neither an input of the ensemble nor any step's output"]),
        ("unused input", config(steps: [first, second], extra: #"input [ { name: "SPARE" data_type: TYPE_FP32 dims: [ 1 ] } ]"#),
         ["bad/config.pbtxt", "input 'SPARE' is not used"]),
        ("output not produced", config(steps: [first, second], output: "RESULT"),
         ["bad/config.pbtxt", "output 'RESULT' is not produced"]),
        ("two producers", config(steps: [first, #"model_name: "first" input_map { key: "x" value: "INPUT" } output_map { key: "y" value: "hidden" }"#, second]),
         ["bad/config.pbtxt", "step[1] (model 'first')", "output_map", "already the output of step[0]"]),
        ("nested", config(steps: [#"model_name: "chain" input_map { key: "INPUT" value: "INPUT" } output_map { key: "OUTPUT" value: "OUTPUT" }"#]),
         ["bad/config.pbtxt", "step[0] (model 'chain')", "nested ensembles are not supported"]),
        ("unmapped model input", config(steps: [#"model_name: "first" input_map { key: "features" value: "INPUT" } output_map { key: "y" value: "hidden" }"#, second]),
         ["bad/config.pbtxt", "step[0] (model 'first')", "input_map", "'features' is not an input of the model"]),
        ("wrong platform", config(steps: [first, second]).replacingOccurrences(of: #"platform: "ensemble""#, with: #"platform: "onnxruntime_onnx""#),
         ["bad/config.pbtxt", "ensemble_scheduling needs platform: \"ensemble\""]),
        ("no steps", config(steps: []), ["bad/config.pbtxt", "at least one step"]),
        ("no data type", config(steps: [first, second]).replacingOccurrences(of: "data_type: TYPE_FP32 dims: [ 2 ]", with: "dims: [ 2 ]"),
         ["bad/config.pbtxt", "output 'OUTPUT'", "data_type"]),
    ]

    @Test(arguments: cases.indices)
    func badEnsembleIsUnavailableWithTheFileAndField(_ index: Int) async throws {
        let (name, config, expected) = Self.cases[index]
        let repository = try Kit()
        defer { repository.remove() }
        try repository.write(Kit.chainConfig, to: "config.pbtxt", of: "chain")
        try repository.write(config, to: "config.pbtxt", of: "bad")
        let served = try await repository.serve()
        let routing = served.routing

        let entry = try #require(await routing.repositoryIndex(readyOnly: false).first { $0.name == "bad" }, "\(name)")
        #expect(entry.state == "UNAVAILABLE", "\(name)")
        for text in expected { #expect(entry.reason.contains(text), "\(name): '\(entry.reason)' lacks '\(text)'") }
        #expect(!(await routing.isModelReady(name: "bad", version: nil)))
        let error = await servingError {
            _ = try await routing.infer(InferenceRequest(modelName: "bad", inputs: [NamedTensor(name: "INPUT", tensor: Kit.rows(1, columns: 4, seed: 1))]))
        }
        #expect(error?.kind == .unavailable && error?.message.contains("bad/config.pbtxt") == true, "\(name)")
        // The models and the good ensemble keep serving.
        let input = NamedTensor(name: "INPUT", tensor: Kit.rows(2, columns: 4, seed: 2))
        #expect(try await routing.infer(InferenceRequest(modelName: "chain", inputs: [input])).outputs.first?.tensor.shape == [2, 2])
        await served.shutdown()
    }
}
