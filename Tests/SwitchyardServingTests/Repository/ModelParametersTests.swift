import Testing
import SwitchyardTensor
@testable import SwitchyardServing

@Suite struct ModelParametersTests {
    @Test func coreListsParseIntoSortedUniqueIds() throws {
        #expect(try CPUCoreList.parse("0-1") == [0, 1])
        #expect(try CPUCoreList.parse("0,2-3") == [0, 2, 3])
        #expect(try CPUCoreList.parse(" 5 , 1-2, 2 ,0 ") == [0, 1, 2, 5])
        #expect(try CPUCoreList.parse("7-7") == [7])
    }

    @Test func badCoreListsAreErrorsThatSayWhy() {
        let cases: [(String, String)] = [
            ("", "'' has an empty item (write ids and ranges like \"0,2-3\")"),
            ("0,,1", "'0,,1' has an empty item (write ids and ranges like \"0,2-3\")"),
            ("3-1", "range '3-1' in '3-1' runs backwards (write 1-3)"),
            ("a", "'a' in 'a' is not a core id or a range of them (write ids and ranges like \"0,2-3\")"),
            ("-1", "'-1' in '-1' is not a core id or a range of them (write ids and ranges like \"0,2-3\")"),
            ("1-2-3", "'1-2-3' in '1-2-3' is not a core id or a range of them (write ids and ranges like \"0,2-3\")"),
            ("0-99999", "'0-99999' in '0-99999' is not a core id or a range of them (write ids and ranges like \"0,2-3\")"),
            ("١", "'١' in '١' is not a core id or a range of them (write ids and ranges like \"0,2-3\")"),
        ]
        for (text, message) in cases {
            RepositoryTestKit.expectError(message) { () throws(ServingError) in _ = try CPUCoreList.parse(text) }
        }
    }

    @Test func parametersAreTyped() throws {
        var config = Inference_ModelConfig()
        var value = Inference_ModelParameter()
        value.stringValue = "0,2"
        config.parameters["cpu_cores"] = value
        value.stringValue = "1"
        config.parameters["pinned"] = value
        value.stringValue = "keep me"
        config.parameters["note"] = value
        let parameters = try ModelParameters(config, file: "m/config.pbtxt")
        #expect(parameters.pinned)
        #expect(parameters.cpuCores == [0, 2])
        #expect(parameters.values["note"] == "keep me")
        #expect(try parameters.bool("pinned", file: "m/config.pbtxt") == true)
        #expect(try parameters.bool("absent", file: "m/config.pbtxt") == nil)

        let empty = try ModelParameters(Inference_ModelConfig(), file: "m/config.pbtxt")
        #expect(!empty.pinned && empty.cpuCores == nil && empty.values.isEmpty)
    }

    @Test func kserveNamesRoundTrip() {
        for type in DataType.allCases {
            #expect(DataType(kserveName: type.kserveName) == type)
            #expect(Inference_DataType(type).tensorDataType == type)
        }
        #expect(DataType.string.kserveName == "BYTES" && Inference_DataType(.string) == .typeString)
        #expect(DataType.float32.kserveName == "FP32" && DataType.bfloat16.kserveName == "BF16" && DataType.bool.kserveName == "BOOL")
        #expect(DataType(kserveName: "fp32") == nil && DataType(kserveName: "STRING") == nil)
        #expect(Inference_DataType.typeInvalid.tensorDataType == nil)
        #expect(Inference_DataType.typeFp16.configName == "TYPE_FP16" && Inference_DataType.typeString.configName == "TYPE_STRING")
    }

    @Test func metadataPrependsTheBatchDimension() {
        var config = Inference_ModelConfig()
        config.name = "det"
        config.platform = "onnxruntime_onnx"
        config.maxBatchSize = 2
        var input = Inference_ModelInput()
        input.name = "images"
        input.dataType = .typeFp16
        input.dims = [3, -1, -1]
        config.input = [input]
        var output = Inference_ModelOutput()
        output.name = "labels"
        output.dataType = .typeString
        output.dims = [10]
        config.output = [output]
        let metadata = ModelMetadata(config: config, versions: [2])
        #expect(metadata.inputs == [.init(name: "images", datatype: "FP16", shape: [-1, 3, -1, -1])])
        #expect(metadata.outputs == [.init(name: "labels", datatype: "BYTES", shape: [-1, 10])])
        config.maxBatchSize = 0
        #expect(ModelMetadata(config: config, versions: [2]).inputs[0].shape == [3, -1, -1])
    }
}
