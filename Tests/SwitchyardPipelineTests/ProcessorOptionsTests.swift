import Testing
import SwitchyardPipeline

@Suite struct ProcessorOptionsTests {
    static let yaml = """
        name: opts
        stages:
          - {name: in, type: source, kind: api}
          - name: norm
            type: processor
            processor: normalize
            inputs: [in]
            options:
              mean: [0.485, 0.456, 0.406]
              scale: 2
              layout: nhwc
              labels: [cat, dog]
              flip: yes please
          - {name: out, type: sink, kind: collector, inputs: [norm]}
        """

    static func options() throws -> ProcessorOptions {
        try #require(SpecLoader.load(yaml: yaml, file: "opts.yaml", baseDirectory: "/specs/ocr").processorOptions["norm"])
    }

    @Test func readsTypedValuesAndDefaults() throws {
        let options = try Self.options()
        #expect(try options.floats("mean") == [0.485, 0.456, 0.406])
        #expect(try options.double("scale") == 2 && options.int("scale") == 2)
        #expect(try options.choice("layout", of: ["nchw", "nhwc"]) == "nhwc")
        #expect(try options.strings("labels") == ["cat", "dog"])
        #expect(try options.float("threshold", default: 0.3) == 0.3)
        #expect(try options.bool("missing", default: true))
        #expect(try options.path("layout") == "/specs/ocr/nhwc")
        #expect(try options.path("keys", default: "../dict/keys.txt") == "/specs/dict/keys.txt")
        #expect(try options.path("keys", default: "/abs/keys.txt") == "/abs/keys.txt")
    }

    @Test func errorsNameTheLineStageAndOption() throws {
        let options = try Self.options()
        let wrongType = try #require(throws: PipelineError.self) { try options.bool("flip") }
        #expect(wrongType.message == "opts.yaml:13:7: stage 'norm': option 'flip': expected true or false, got \"yes please\"")
        let missing = try #require(throws: PipelineError.self) { try options.float("std") }
        #expect(missing.message.hasPrefix("opts.yaml:4:5: stage 'norm': option 'std': missing"))
        let choice = try #require(throws: PipelineError.self) { try options.choice("layout", of: ["nchw"]) }
        #expect(choice.message.contains("option 'layout': expected one of nchw, got \"nhwc\""))
        let unknown = try #require(throws: PipelineError.self) { try options.rejectUnknown(allowed: ["mean", "scale", "layout", "labels"]) }
        #expect(unknown.message.contains("opts.yaml:13:7") && unknown.message.contains("option 'flip': unknown option"))
        let list = try #require(throws: PipelineError.self) { try options.floats("labels") }
        #expect(list.message.contains("expected a list of numbers, got \"cat\""))
    }

    @Test func registryNamesUnknownProcessors() throws {
        var registry = ProcessorRegistry()
        registry.register("b") { _ in ClosureProcessor { [$0] } }
        registry.register("a") { _ in ClosureProcessor { [$0] } }
        let error = try #require(throws: PipelineError.self) {
            try registry.make("c", options: ProcessorOptions(stage: "s"))
        }
        #expect(error.message == "stage 's': unknown processor 'c' (known: a, b)")
    }
}
