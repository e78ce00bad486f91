import Foundation
import Testing
import SwitchyardGraph
@testable import SwitchyardServing

@Suite struct ModelConfigValidatorTests {
    typealias Kit = RepositoryTestKit

    static let validConfig = """
        name: "cls"
        max_batch_size: 8
        input [ { name: "x" data_type: TYPE_FP32 dims: [3, 8, 8] } ]
        output [ { name: "prob" data_type: TYPE_FP32 dims: [2] } ]
        """

    /// The configuration of model `cls` whose config.pbtxt is `text`.
    static func configure(_ text: String, signature: ModelSignature = Kit.batchingSignature) throws(ServingError) -> ModelConfiguration {
        let parsed = try ModelConfigParser.parse(text, file: "cls/config.pbtxt")
        return try ModelConfiguration(modelName: "cls", parsed: parsed, signature: signature, file: "cls/config.pbtxt")
    }

    static func expect(_ text: String, fails message: String, signature: ModelSignature = Kit.batchingSignature,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        Kit.expectError("cls/config.pbtxt: " + message, sourceLocation: sourceLocation) { () throws(ServingError) in
            _ = try configure(text, signature: signature)
        }
    }

    @Test func aConsistentConfigIsAccepted() throws {
        let configuration = try Self.configure(Self.validConfig + "\ndynamic_batching { preferred_batch_size: [2, 8] }")
        #expect(configuration.maxBatchSize == 8)
        #expect(configuration.dynamicBatching?.preferredBatchSize == [2, 8])
        #expect(configuration.config.output.map(\.name) == ["prob"], "a listed subset of outputs is kept as is")
    }

    @Test func nameMustMatchTheDirectory() {
        Self.expect(Self.validConfig.replacingOccurrences(of: "name: \"cls\"", with: "name: \"classifier\""),
                    fails: "name 'classifier' does not match the model's directory 'cls' (they must be equal; fix the name or leave it out)")
    }

    @Test func batchSizesAndBatchingAreChecked() {
        Self.expect(Self.validConfig.replacingOccurrences(of: "max_batch_size: 8", with: "max_batch_size: -1"),
                    fails: "max_batch_size -1 must be >= 0 (0 = the model does not batch)")
        Self.expect(Self.validConfig + "\ndynamic_batching { preferred_batch_size: [4, 16] }",
                    fails: "dynamic_batching: preferred_batch_size 16 must be in 1...max_batch_size (8)")
        Self.expect(Self.validConfig + "\ndynamic_batching { preferred_batch_size: 0 }",
                    fails: "dynamic_batching: preferred_batch_size 0 must be in 1...max_batch_size (8)")
        let unbatched = """
            max_batch_size: 0
            input [ { name: "x" data_type: TYPE_FP32 dims: [-1, 3, 8, 8] } ]
            output [ { name: "prob" data_type: TYPE_FP32 dims: [-1, 2] } ]
            dynamic_batching { }
            """
        Self.expect(unbatched, fails: "dynamic_batching needs max_batch_size > 0 (it is 0): set max_batch_size or remove dynamic_batching")
        Self.expect(Self.validConfig + "\ndynamic_batching { priority_levels: 2 default_priority_level: 3 }",
                    fails: "dynamic_batching: default_priority_level 3 must be in 1...priority_levels (2)")
        Self.expect(Self.validConfig + "\ndynamic_batching { priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 5 value { } } }",
                    fails: "dynamic_batching: priority_queue_policy key 5 must be in 1...priority_levels (2)")
    }

    @Test func batchingNeedsAVariableFirstDimension() {
        let fixed = ModelSignature(inputs: [Kit.tensor("x", .float32, [.fixed(2), .fixed(4)])],
                                   outputs: [Kit.tensor("y", .float32, [.fixed(2), .fixed(4)])])
        Self.expect("max_batch_size: 8", fails: "max_batch_size 8 needs a variable first (batch) dimension, but the model's input 'x' has shape [2,4] (set max_batch_size: 0)",
                    signature: fixed)
    }

    @Test func instanceGroupsRunOnTheCPU() {
        Self.expect(Self.validConfig + "\ninstance_group [ { kind: KIND_GPU count: 1 } ]",
                    fails: "instance_group[0]: kind KIND_GPU: no GPU backend on this machine (use KIND_CPU or KIND_AUTO)")
        Self.expect(Self.validConfig + "\ninstance_group [ { count: 1 }, { name: \"b\" count: -2 } ]",
                    fails: "instance_group[1] 'b': count -2 must be >= 1 (0 or none = 1)")
        Self.expect(Self.validConfig + "\ninstance_group [ { kind: KIND_CPU gpus: [0] } ]",
                    fails: "instance_group[0]: gpus [0] given, but there is no GPU backend on this machine")
    }

    @Test func tensorsMustMatchTheModel() {
        Self.expect(Self.validConfig.replacingOccurrences(of: "name: \"x\" data_type: TYPE_FP32", with: "name: \"x\" data_type: TYPE_INT64"),
                    fails: "input 'x': data_type TYPE_INT64 does not match the model's FP32 (write TYPE_FP32)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "name: \"x\" data_type: TYPE_FP32", with: "name: \"x\""),
                    fails: "input 'x': no data_type (the model's is TYPE_FP32)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "name: \"prob\" data_type: TYPE_FP32 dims: [2]", with: "name: \"ids\" data_type: TYPE_STRING dims: []"),
                    fails: "output 'ids': data_type TYPE_STRING does not match the model's INT64 (write TYPE_INT64)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "dims: [3, 8, 8]", with: "dims: [3, 8]"),
                    fails: "input 'x': dims [3,8] have 2 dimensions, the model's have 3: [3,8,8] (with max_batch_size > 0, dims leave out the batch dimension)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "dims: [3, 8, 8]", with: "dims: [3, 8, 9]"),
                    fails: "input 'x': dims [3,8,9] do not match the model's [3,8,8] at dimension 2 (with max_batch_size > 0, dims leave out the batch dimension)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "dims: [3, 8, 8]", with: "dims: [-1, 8, 8]"),
                    fails: "input 'x': dims [-1,8,8] do not match the model's [3,8,8] at dimension 0 (with max_batch_size > 0, dims leave out the batch dimension)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "name: \"x\"", with: "name: \"image\""),
                    fails: "input 'image' is not an input of the model (its inputs: 'x')")
        Self.expect(Self.validConfig.replacingOccurrences(of: "dims: [3, 8, 8]", with: "dims: [190] reshape { shape: [3, 8, 8] }"),
                    fails: "input 'x': dims [190] hold 190 elements but reshape [3,8,8] holds 192")
        Self.expect(Self.validConfig.replacingOccurrences(of: "dims: [3, 8, 8]", with: "dims: [192] reshape { shape: [3, 64] }"),
                    fails: "input 'x': reshape [3,64] have 2 dimensions, the model's have 3: [3,8,8] (with max_batch_size > 0, dims leave out the batch dimension)")
        Self.expect(Self.validConfig.replacingOccurrences(of: "dims: [3, 8, 8]", with: "dims: [-1] reshape { shape: [3, 8, 8] }"),
                    fails: "input 'x': dims [-1] and reshape [3,8,8] must both be variable (-1) or both fixed")
        Self.expect(Self.validConfig + "\noutput [ { name: \"prob\" data_type: TYPE_FP32 dims: [2] } ]",
                    fails: "output 'prob' is listed twice")
    }

    @Test func aReshapeMustMatchTheModelAndHoldAsManyElementsAsTheDims() throws {
        let configuration = try Self.configure(Self.validConfig.replacingOccurrences(
            of: "dims: [3, 8, 8]", with: "dims: [192] reshape { shape: [3, 8, 8] }"))
        #expect(configuration.config.input.first?.reshape.shape == [3, 8, 8])
        #expect(configuration.metadata(versions: [1]).inputs.first?.shape == [-1, 192], "clients see the config's dims")
    }

    @Test func everyModelInputMustBeListed() {
        let twoInputs = ModelSignature(
            inputs: [Kit.tensor("x", .float32, [.unknown, .fixed(3), .fixed(8), .fixed(8)]), Kit.tensor("scale", .float32, [.unknown, .fixed(1)])],
            outputs: [Kit.tensor("prob", .float32, [.unknown, .fixed(2)])])
        Self.expect(Self.validConfig, fails: "the model's input 'scale' is missing from the config's inputs (list it, or list no inputs and let Switchyard complete them)",
                    signature: twoInputs)
    }

    @Test func unbatchedDimsIncludeEveryDimensionAndMayFixVariableOnes() throws {
        let configuration = try Self.configure("""
            max_batch_size: 0
            input [ { name: "x" data_type: TYPE_FP32 dims: [4, 3, 8, 8] } ]
            output [ { name: "prob" data_type: TYPE_FP32 dims: [-1, 2] } ]
            """)
        #expect(configuration.maxBatchSize == 0 && configuration.dynamicBatching == nil)
        #expect(configuration.config.input[0].dims == [4, 3, 8, 8])
    }

    @Test func platformVersionsAndParametersAreChecked() {
        Self.expect(Self.validConfig + "\nplatform: \"tensorrt_plan\"",
                    fails: "platform 'tensorrt_plan' is not supported: Switchyard serves ONNX models (platform 'onnxruntime_onnx')")
        Self.expect(Self.validConfig + "\nbackend: \"python\"",
                    fails: "backend 'python' is not supported: Switchyard serves ONNX models (backend 'onnxruntime')")
        Self.expect(Self.validConfig + "\nversion_policy { latest { num_versions: 0 } }",
                    fails: "version_policy: latest { num_versions: 0 } must serve at least 1 version")
        Self.expect(Self.validConfig + "\nversion_policy { specific { versions: [2, 0] } }",
                    fails: "version_policy: specific version 0 is not a version number (versions are positive integers)")
        Self.expect(Self.validConfig + "\nparameters { key: \"cpu_cores\" value { string_value: \"1-\" } }",
                    fails: "parameter 'cpu_cores': '1-' in '1-' is not a core id or a range of them (write ids and ranges like \"0,2-3\")")
        Self.expect(Self.validConfig + "\nparameters { key: \"pinned\" value { string_value: \"yes please\" } }",
                    fails: "parameter 'pinned': expected \"true\" or \"false\", got \"yes please\"")
        Self.expect(Self.validConfig + "\nensemble_scheduling { step [ { model_name: \"a\" } ] }",
                    fails: "ensemble_scheduling: this model service serves ONNX models only; `switchyard serve` serves ensembles (platform \"ensemble\") as pipelines")
        Self.expect(Self.validConfig + "\ndefault_model_filename: \"../other.onnx\"",
                    fails: "default_model_filename '../other.onnx' must be a file name inside the version directory")
    }
}
