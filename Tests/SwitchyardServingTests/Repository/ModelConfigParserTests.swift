import Testing
import SwitchyardTensor
@testable import SwitchyardServing

@Suite struct ModelConfigParserTests {
    /// A config in the style of Triton's documentation, exercising every field Switchyard reads.
    static let tritonStyleConfig = """
        name: "cls"
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        version_policy: { specific: { versions: [1, 3] } }
        input [
          {
            name: "x"
            data_type: TYPE_FP32
            format: FORMAT_NCHW
            dims: [ 3, 48, 192 ]
          }
        ]
        output [
          {
            name: "softmax_0.tmp_0"
            data_type: TYPE_FP32
            dims: [ 2 ]
            label_filename: "labels.txt"
          }
        ]
        # Requests wait at most 100 µs for a batch; priority 1 has its own queue policy.
        dynamic_batching {
          preferred_batch_size: [ 4, 8 ]
          max_queue_delay_microseconds: 100
          preserve_ordering: true
          priority_levels: 2
          default_priority_level: 2
          default_queue_policy {
            timeout_action: DELAY
            default_timeout_microseconds: 5000
            allow_timeout_override: true
            max_queue_size: 16
          }
          priority_queue_policy {
            key: 1
            value: {
              timeout_action: REJECT
              max_queue_size: 4
            }
          }
        }
        instance_group [
          { count: 2, kind: KIND_CPU },
          { name: "spare", kind: KIND_AUTO }
        ]
        parameters { key: "pinned" value: { string_value: "true" } }
        parameters: { key: "cpu_cores", value { string_value: "0-1" } }
        """

    @Test func readsEveryFieldOfATritonStyleConfig() throws {
        let parsed = try ModelConfigParser.parse(Self.tritonStyleConfig, file: "cls/config.pbtxt")
        let config = parsed.config
        #expect(parsed.warnings.isEmpty)
        #expect(config.name == "cls")
        #expect(config.platform == "onnxruntime_onnx")
        #expect(config.maxBatchSize == 8)
        #expect(config.versionPolicy.specific.versions == [1, 3])
        #expect(config.input.map(\.name) == ["x"])
        #expect(config.input[0].dataType == .typeFp32)
        #expect(config.input[0].format == .nchw)
        #expect(config.input[0].dims == [3, 48, 192])
        #expect(config.output[0].labelFilename == "labels.txt")
        let batching = config.dynamicBatching
        #expect(batching.preferredBatchSize == [4, 8])
        #expect(batching.maxQueueDelayMicroseconds == 100)
        #expect(batching.preserveOrdering)
        #expect(batching.priorityLevels == 2 && batching.defaultPriorityLevel == 2)
        #expect(batching.defaultQueuePolicy.timeoutAction == .delay)
        #expect(batching.defaultQueuePolicy.defaultTimeoutMicroseconds == 5000)
        #expect(batching.defaultQueuePolicy.allowTimeoutOverride)
        #expect(batching.defaultQueuePolicy.maxQueueSize == 16)
        #expect(batching.priorityQueuePolicy[1]?.timeoutAction == .reject)
        #expect(batching.priorityQueuePolicy[1]?.maxQueueSize == 4)
        #expect(config.instanceGroup.map(\.count) == [2, 0])
        #expect(config.instanceGroup.map(\.kind) == [.cpu, .auto])
        #expect(config.instanceGroup[1].name == "spare")
        #expect(config.parameters["pinned"]?.stringValue == "true")
        #expect(config.parameters["cpu_cores"]?.stringValue == "0-1")
        #expect(parsed.writtenFields.contains("max_batch_size"))
        #expect(!parsed.writtenFields.contains("backend"))
    }

    @Test func readsVersionPolicyVariantsAndAngleBrackets() throws {
        let latest = try ModelConfigParser.parse("version_policy: { latest: { num_versions: 2 } }", file: "m/config.pbtxt")
        #expect(latest.config.versionPolicy.latest.numVersions == 2)
        let all = try ModelConfigParser.parse("version_policy < all < > >", file: "m/config.pbtxt")
        #expect(all.config.versionPolicy.all == Inference_ModelVersionPolicy.All())
        let specific = try ModelConfigParser.parse("version_policy { specific { versions: 4 versions: 7 } }", file: "m/config.pbtxt")
        #expect(specific.config.versionPolicy.specific.versions == [4, 7])
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let parsed = try ModelConfigParser.parse("\u{FEFF}name: \"m\"\nmax_batch_size: 2\n", file: "m/config.pbtxt")
        #expect(parsed.config.name == "m" && parsed.config.maxBatchSize == 2)
    }

    @Test func emptyTextIsAnEmptyConfig() throws {
        let parsed = try ModelConfigParser.parse("  # nothing but a comment\n", file: "m/config.pbtxt")
        #expect(parsed.config == Inference_ModelConfig())
        #expect(parsed.warnings.isEmpty && parsed.writtenFields.isEmpty)
    }

    @Test func unknownTritonFieldsWarnOnceEachAndTheRestIsRead() throws {
        let text = """
            name: "cls"
            max_batch_size: 4
            batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "n" data_type: TYPE_FP32 source_input: "x" } ]
            model_warmup [ { name: "w", batch_size: 1, inputs { key: "x" value { data_type: TYPE_FP32 dims: [3] zero_data: true } } } ]
            model_warmup [ { name: "w2" } ]
            optimization { execution_accelerators { cpu_execution_accelerator: [ { name: "openvino" } ] } }
            dynamic_batching {
              max_queue_delay_microseconds: 200
              default_queue_policy { max_queue_size: 3 timeout_actoin: DELAY }
              priority_queue_policy { key: 1 value { max_queue_size: 1 } extra: 2 }
            }
            instance_group [ { count: 2 secondary_devices [ { kind: KIND_NVDLA } ] } ]
            parameters { key: "pinned" value { string_value: "false" } }
            response_cache { enable: true }
            model_operations : { op_library_filename : [ "libops.so" ] }
            model_repository_agents { agents [ { name: "checksum" parameters { key: "MD5:1/model.onnx" value: "x" } } ] }
            model_transaction_policy { decoupled: false }
            """
        let parsed = try ModelConfigParser.parse(text, file: "cls/config.pbtxt")
        #expect(parsed.warnings.map(\.field) == [
            "batch_input", "model_warmup", "optimization", "dynamic_batching.default_queue_policy.timeout_actoin",
            "dynamic_batching.priority_queue_policy.extra", "instance_group.secondary_devices", "response_cache",
            "model_operations", "model_repository_agents", "model_transaction_policy",
        ])
        #expect(parsed.warnings.map(\.line) == [3, 4, 6, 9, 10, 12, 14, 15, 16, 17], "one warning per field, at its first line")
        #expect(parsed.warnings.allSatisfy { $0.file == "cls/config.pbtxt" })
        #expect(parsed.warnings[0].description.hasPrefix("cls/config.pbtxt:3: unknown field 'batch_input' ignored"))
        let config = parsed.config
        #expect(config.name == "cls" && config.maxBatchSize == 4)
        #expect(config.dynamicBatching.maxQueueDelayMicroseconds == 200)
        #expect(config.dynamicBatching.defaultQueuePolicy.maxQueueSize == 3)
        #expect(config.dynamicBatching.priorityQueuePolicy[1]?.maxQueueSize == 1)
        #expect(config.instanceGroup.map(\.count) == [2])
        #expect(config.parameters["pinned"]?.stringValue == "false")
    }

    /// Triton's sequence batcher is not Switchyard's: the file still loads, with a warning.
    @Test func sequenceBatchingIsReportedAndIgnored() throws {
        let text = """
            max_batch_size: 2
            sequence_batching {
              max_sequence_idle_microseconds: 5000000
              control_input [ { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] } ]
            }
            """
        let parsed = try ModelConfigParser.parse(text, file: "seq/config.pbtxt")
        #expect(parsed.warnings == [ModelConfigWarning(file: "seq/config.pbtxt", line: 2, field: "sequence_batching")])
        #expect(parsed.config.maxBatchSize == 2 && parsed.config.schedulingChoice == nil)
    }

    @Test func syntaxErrorsNameTheFileAndLine() {
        let cases: [(String, String)] = [
            ("name: \"cls\"\ninput [ { name: \"x\" dims: [1, 2 } ]\n", "cls/config.pbtxt:2: syntax error"),
            ("name: \"cls\"\n\ndynamic_batching {\n  max_queue_delay_microseconds: 5\n", "cls/config.pbtxt:3: syntax error: missing '}'"),
            ("max_batch_size 4\n", "cls/config.pbtxt:1: syntax error: expected ':' or '{'"),
            ("name: \"cls\n", "cls/config.pbtxt:1: syntax error: unterminated string"),
            ("name: \"cls\"\n}\n", "cls/config.pbtxt:2: syntax error: expected a field name"),
            ("input [ { name: \"x\" } { name: \"y\" } ]", "cls/config.pbtxt:1: syntax error: expected ',' or ']'"),
        ]
        for (text, prefix) in cases {
            #expect {
                try ModelConfigParser.parse(text, file: "cls/config.pbtxt")
            } throws: { error in
                guard let error = error as? ServingError else { return false }
                return error.kind == .invalidArgument && error.message.hasPrefix(prefix)
            }
        }
    }

    @Test func badValuesNameTheFieldAndLine() {
        let cases: [(String, String)] = [
            ("name: \"cls\"\ninput [\n  { name: \"x\"\n    data_type: TYPE_FP33 } ]\n",
             "cls/config.pbtxt:4: field 'input.data_type': unknown enum value in `data_type: TYPE_FP33`"),
            ("max_batch_size: \"eight\"\n", "cls/config.pbtxt:1: field 'max_batch_size'"),
            ("max_batch_size: 99999999999\n", "cls/config.pbtxt:1: field 'max_batch_size': not a valid number"),
            ("sequence_batching {}\ndynamic_batching { default_queue_policy { max_queue_size: -1 } }\n",
             "cls/config.pbtxt:2: field 'dynamic_batching.default_queue_policy.max_queue_size'"),
            ("parameters { key: \"pinned\" value { string_value: 1 } }\n", "cls/config.pbtxt:1: field 'parameters'"),
            ("name: \"cls\"\ndynamic_batching {}\nensemble_scheduling {}\n", "cls/config.pbtxt:3: field 'ensemble_scheduling': conflicts"),
            ("version_policy { latest { num_versions: 1 } all {} }\n", "cls/config.pbtxt:1: field 'version_policy.all': conflicts"),
            ("dynamic_batching: 5\n", "cls/config.pbtxt:1: field 'dynamic_batching'"),
            ("name: \"cls\"\nmax_batch_size {\n  value: 1\n}\n", "cls/config.pbtxt:2: field 'max_batch_size':"),
        ]
        for (text, prefix) in cases {
            #expect {
                try ModelConfigParser.parse(text, file: "cls/config.pbtxt")
            } throws: { error in
                guard let error = error as? ServingError else { return false }
                return error.kind == .invalidArgument && error.message.hasPrefix(prefix)
            }
        }
    }

    /// Text-format spellings swift-protobuf accepts must read the same through the parser (its
    /// own syntax check must not reject valid files).
    @Test func acceptsEveryTextFormatSpellingTheDecoderDoes() throws {
        let texts = [
            "max_batch_size: 0x10; name: 'a\\'b' \"c\"",
            "4: 8\n1: \"by-number\"",
            "input: [ ] output [] dims_unused_comment: 1 # trailing",
            "input < name: \"x\" dims: -1 dims: [ 3 , 4 ] data_type: 11 >, output { name: \"y\" data_type: TYPE_BF16 }",
            "dynamic_batching { preserve_ordering: True preferred_batch_size: 2; priority_levels: 0x2 default_priority_level: 1 }",
            "instance_group: [ < count: 1 >, { kind: KIND_CPU } ]",
            "parameters [ { key: \"a\" value: { string_value: \"\\x41\\n\" } }, { key: 'b', value < > } ]",
            "max_batch_size:-0\n\n\t  #only comments after\n#\n",
            "version_policy{latest{num_versions:3}}",
            "name : \"x\"\r\nmax_batch_size : 4 ;\r\n",
        ]
        for text in texts {
            let expected = try? ModelConfigParser.decode(text)
            let parsed = try? ModelConfigParser.parse(text, file: "m/config.pbtxt")
            if text.contains("dims_unused_comment") {
                #expect(parsed?.warnings.map(\.field) == ["dims_unused_comment"], "\(text)")
                continue
            }
            #expect(expected != nil, "swift-protobuf rejects \(text)")
            #expect(parsed?.config == expected, "\(text)")
            #expect(parsed?.warnings.isEmpty == true, "\(text)")
        }
        let config = try ModelConfigParser.parse(Self.tritonStyleConfig, file: "cls/config.pbtxt").config
        #expect(try ModelConfigParser.parse(config.textFormatString(), file: "cls/config.pbtxt").config == config)
    }

    @Test func unknownFieldsBetweenSeparatorsAreCutCleanly() throws {
        let text = "instance_group [ { count: 2, secondary_devices [ { kind: KIND_NVDLA } ], kind: KIND_CPU } ]; max_batch_size: 2, model_warmup: [], name: \"m\""
        let parsed = try ModelConfigParser.parse(text, file: "m/config.pbtxt")
        #expect(parsed.warnings.map(\.field) == ["instance_group.secondary_devices", "model_warmup"])
        #expect(parsed.config.instanceGroup.map(\.kind) == [.cpu] && parsed.config.maxBatchSize == 2 && parsed.config.name == "m")
    }

    @Test func aBadValueIsFoundBesideUnknownFields() {
        let text = "model_warmup [ { name: \"w\" } ]\ninput [ { name: \"x\" extra_thing: 1 dims: [ 1, two ] } ]\n"
        RepositoryTestKit.expectError("m/config.pbtxt:2: field 'input.dims': not a valid number for this field (wrong type or out of range) in `dims: [ 1, two ]`") {
            () throws(ServingError) in _ = try ModelConfigParser.parse(text, file: "m/config.pbtxt")
        }
    }

    /// Whatever the text, parsing answers or throws `ServingError`, never traps; and where
    /// swift-protobuf decodes the text, the parser reads the same config with no warnings.
    @Test func randomTextNeverCrashesAndAgreesWithTheDecoder() {
        var generator = SplitMix64(seed: 7)
        let fields = ["max_batch_size: 4", "name: \"m\"", "input [ { name: \"x\" dims: [1, -2] } ]", "output: { name: 'y' data_type: TYPE_INT8 }",
                      "dynamic_batching { preferred_batch_size: [1] default_queue_policy < max_queue_size: 0x3 > }",
                      "instance_group { count: 2 }", "version_policy < all {} >", "parameters { key: \"k\" value { string_value: \"v\" } }",
                      "model_warmup [ { name: \"w\" } ]", "4: 2"]
        let separators = [" ", "\n", ", ", "; ", " # c\n", ""]
        let noise = ["{", "}", "[", "]", "<", ">", ":", ",", "\"", "'", "-", "#", "x", "1", "\n", "[a.b]", "e", "."]
        var agreed = 0
        for _ in 0..<2000 {
            var text = (0..<Int.random(in: 1...5, using: &generator)).map { _ in
                fields.randomElement(using: &generator)! + separators.randomElement(using: &generator)!
            }.joined()
            if Bool.random(using: &generator), !text.isEmpty {
                var characters = Array(text)
                let index = Int.random(in: 0..<characters.count, using: &generator)
                if Bool.random(using: &generator) {
                    characters.remove(at: index)
                } else {
                    characters.insert(contentsOf: noise.randomElement(using: &generator)!, at: index)
                }
                text = String(characters)
            }
            let expected = try? ModelConfigParser.decode(text)
            do {
                let parsed = try ModelConfigParser.parse(text, file: "fuzz/config.pbtxt")
                if let expected {
                    #expect(parsed.config == expected && parsed.warnings.isEmpty, "\(text.debugDescription)")
                    agreed += 1
                }
            } catch {
                #expect(expected == nil, "the parser rejects what swift-protobuf reads: \(text.debugDescription) -> \(error.message)")
                #expect(error.message.hasPrefix("fuzz/config.pbtxt"), "\(text) -> \(error.message)")
            }
        }
        #expect(agreed > 200, "the generator must produce valid configs too")
    }
}
