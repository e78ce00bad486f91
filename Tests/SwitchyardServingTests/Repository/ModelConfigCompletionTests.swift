import Testing
import SwitchyardEngine
import SwitchyardGraph
@testable import SwitchyardServing

@Suite struct ModelConfigCompletionTests {
    typealias Kit = RepositoryTestKit

    static func parse(_ text: String) throws(ServingError) -> ParsedModelConfig {
        try ModelConfigParser.parse(text, file: "m/config.pbtxt")
    }

    @Test func classifierWithoutConfigBatchesByDefault() throws {
        guard let path = Kit.classifierPath else { return }  // scripts/setup.sh fetches the model
        let model = try LoadedModel(contentsOf: path)
        let configuration = try ModelConfiguration(modelName: "cls", parsed: nil, model: model, file: "cls/config.pbtxt")
        let config = configuration.config
        #expect(config.name == "cls")
        #expect(config.platform == "onnxruntime_onnx" && config.backend == "onnxruntime")
        #expect(config.maxBatchSize == 4, "the batch dim of every input and output is dynamic")
        #expect(configuration.dynamicBatching == Inference_ModelDynamicBatching())
        #expect(config.input.map(\.name) == ["x"])
        #expect(config.input[0].dataType == .typeFp32)
        #expect(config.input[0].dims == [3, -1, -1], "height and width are free in this export")
        #expect(config.output.map(\.name) == ["save_infer_model/scale_0.tmp_1"])
        #expect(config.output[0].dims == [2])
        #expect(config.instanceGroup.count == 1)
        #expect(config.instanceGroup[0].name == "cls" && config.instanceGroup[0].count == 1 && config.instanceGroup[0].kind == .cpu)
        #expect(config.versionPolicy.latest.numVersions == 1)
        #expect(configuration.instanceCount == 1)
        let metadata = configuration.metadata(versions: [3, 1])
        #expect(metadata == ModelMetadata(
            name: "cls", versions: ["1", "3"], platform: "onnxruntime_onnx",
            inputs: [.init(name: "x", datatype: "FP32", shape: [-1, 3, -1, -1])],
            outputs: [.init(name: "save_infer_model/scale_0.tmp_1", datatype: "FP32", shape: [-1, 2])]))
    }

    @Test func fixedFirstDimensionMeansNoBatching() throws {
        let model = try LoadedModel(model: Kit.reluModel(first: .fixed(2)))
        let configuration = try ModelConfiguration(modelName: "relu", parsed: nil, model: model, file: "relu/config.pbtxt")
        #expect(configuration.maxBatchSize == 0)
        #expect(configuration.dynamicBatching == nil)
        #expect(configuration.config.input.map(\.dims) == [[2, 4]])
        #expect(configuration.config.output.map(\.dims) == [[2, 4]])
        #expect(configuration.metadata(versions: [1]).inputs == [.init(name: "x", datatype: "FP32", shape: [2, 4])])
    }

    @Test func symbolicFirstDimensionOfAnInCodeModelBatches() throws {
        let model = try LoadedModel(model: Kit.reluModel(first: .symbolic("batch")))
        let configuration = try ModelConfiguration(modelName: "relu", parsed: nil, model: model, file: "relu/config.pbtxt")
        #expect(configuration.maxBatchSize == 4)
        #expect(configuration.config.input.map(\.dims) == [[4]])
    }

    @Test func anExplicitZeroMaxBatchSizeIsKept() throws {
        let configuration = try ModelConfiguration(modelName: "m", parsed: Self.parse("max_batch_size: 0"),
                                                   signature: Kit.batchingSignature, file: "m/config.pbtxt")
        #expect(configuration.maxBatchSize == 0 && configuration.dynamicBatching == nil)
        #expect(configuration.config.input.map(\.dims) == [[-1, 3, 8, 8]])
        #expect(configuration.config.output.map(\.dims) == [[-1, 2], [-1]])
    }

    @Test func aGivenMaxBatchSizeShapesTheCompletedDims() throws {
        let configuration = try ModelConfiguration(modelName: "m", parsed: Self.parse("max_batch_size: 16"),
                                                   signature: Kit.batchingSignature, file: "m/config.pbtxt")
        #expect(configuration.maxBatchSize == 16)
        #expect(configuration.dynamicBatching == nil, "Triton adds dynamic_batching only with the max_batch_size it chose")
        #expect(configuration.config.input.map(\.dims) == [[3, 8, 8]])
        #expect(configuration.config.output.map(\.dims) == [[2], []])
        #expect(configuration.config.output.map(\.dataType) == [.typeFp32, .typeInt64])
    }

    @Test func listedInputsAreKeptAndOutputsCompleted() throws {
        let text = """
            input [ { name: "x" data_type: TYPE_FP32 dims: [3, 8, 8] } ]
            dynamic_batching { max_queue_delay_microseconds: 50 }
            """
        let configuration = try ModelConfiguration(modelName: "m", parsed: Self.parse(text), signature: Kit.batchingSignature,
                                                   file: "m/config.pbtxt")
        #expect(configuration.maxBatchSize == 4)
        #expect(configuration.dynamicBatching?.maxQueueDelayMicroseconds == 50, "the file's dynamic_batching is kept")
        #expect(configuration.config.output.map(\.name) == ["prob", "ids"])
    }

    @Test func listedInputsAndOutputsSkipAutoCompletion() throws {
        let text = """
            input [ { name: "x" data_type: TYPE_FP32 dims: [-1, 3, 8, 8] } ]
            output [ { name: "ids" data_type: TYPE_INT64 dims: [-1] } ]
            """
        let configuration = try ModelConfiguration(modelName: "m", parsed: Self.parse(text), signature: Kit.batchingSignature,
                                                   file: "m/config.pbtxt")
        #expect(configuration.maxBatchSize == 0)
        #expect(configuration.config.output.map(\.name) == ["ids"])
    }

    @Test func instanceGroupsAreNormalized() throws {
        let text = "instance_group [ { count: 2 kind: KIND_CPU }, { kind: KIND_AUTO } ]"
        let configuration = try ModelConfiguration(modelName: "m", parsed: Self.parse(text), signature: Kit.batchingSignature,
                                                   file: "m/config.pbtxt")
        let groups = configuration.config.instanceGroup
        #expect(groups.map(\.name) == ["m_0", "m_1"])
        #expect(groups.map(\.count) == [2, 1])
        #expect(groups.map(\.kind) == [.cpu, .cpu])
        #expect(configuration.instanceCount == 3)
    }

    @Test func untypedTensorsCannotBeCompleted() {
        let signature = ModelSignature(inputs: [ValueInfo(name: "x", dataType: nil, shape: [.unknown])],
                                       outputs: [Kit.tensor("y", .float32, [.unknown])])
        Kit.expectError("m: cannot complete the config: the model's input 'x' declares no element type; list it in m/config.pbtxt with its data_type and dims") {
            () throws(ServingError) in
            _ = try ModelConfiguration(modelName: "m", parsed: nil, signature: signature, file: "m/config.pbtxt")
        }
    }

    @Test func completionKeepsWhatTheFileSays() throws {
        let text = """
            name: "m"
            platform: "onnxruntime_onnx"
            version_policy { all { } }
            default_model_filename: "classifier.onnx"
            parameters { key: "pinned" value { string_value: "TRUE" } }
            parameters { key: "cpu_cores" value { string_value: "3, 0-1" } }
            """
        let configuration = try ModelConfiguration(modelName: "m", parsed: Self.parse(text), signature: Kit.batchingSignature,
                                                   file: "m/config.pbtxt")
        #expect(configuration.config.backend == "onnxruntime")
        #expect(configuration.config.versionPolicy.policyChoice == .all(.init()))
        #expect(configuration.config.defaultModelFilename == "classifier.onnx")
        #expect(configuration.parameters.pinned)
        #expect(configuration.parameters.cpuCores == [0, 1, 3])
    }
}
