import Testing
import SwitchyardPipeline

@Suite struct SpecLoaderTests {
    static let valid = """
        name: ocr
        repository: repo
        stages:
          - name: pages
            type: source
            path: pages/*.png
          - name: decode
            type: processor
            processor: decode-image
            inputs: [pages]
            workers: 2
            queue: 4
            options:
              threshold: 0.5
              mean: [0.5, 0.5, 0.5]
          - name: det
            type: model
            model: det
            version: 1
            inputs: [decode]
            input_map: {tensor: x}
            output_map: {sigmoid_0.tmp_0: probability}
          - name: events
            type: sink
            kind: events
            path: events.db
            inputs: [det, decode]
        """

    @Test func decodesEveryField() throws {
        let loaded = try SpecLoader.load(yaml: Self.valid, file: "ocr.yaml", baseDirectory: "/specs")
        let spec = loaded.spec
        #expect(spec.name == "ocr" && spec.repository == "repo" && spec.stages.count == 4)
        #expect(spec.stages[0].sourceKind == .images && spec.stages[0].overflowPolicy == .block)
        #expect(spec.stages[1].workerCount == 2 && spec.stages[1].queueCapacity == 4)
        #expect(spec.stages[2].inputMap == ["tensor": "x"] && spec.stages[2].version == 1)
        #expect(spec.stages[3].sinkKind == .events && spec.stages[3].inputs == ["det", "decode"])
        #expect(spec.modelNames == ["det"])
        let options = try #require(loaded.processorOptions["decode"])
        #expect(try options.float("threshold") == 0.5)
        #expect(try options.floats("mean") == [0.5, 0.5, 0.5])
    }

    @Test(arguments: [
        ("inputs: [decode]", "inputs: [decoder]", "test.yaml:20:14: stage 'det': field 'inputs'", "unknown stage 'decoder'"),
        ("inputs: [pages]", "inputs: [events]", "test.yaml:10:14: stage 'decode'", "'events' is a sink"),
        ("path: pages/*.png", "path: pages/*.png\n    inputs: [decode]", "test.yaml:7:", "stage 'pages': field 'inputs': a source has no inputs"),
        ("workers: 2", "wokers: 2", "test.yaml:11:5: stage 'decode'", "unknown field 'wokers'"),
        ("queue: 4", "queue: four", "test.yaml:12:12: stage 'decode': field 'queue'", "expected an integer"),
        ("inputs: [pages]", "inputs: [pages, det]", "stage", "cycle"),
        ("processor: decode-image", "model: decode-image", "test.yaml:7:5: stage 'decode'", "needs 'processor:'"),
        ("kind: events", "kind: database", "test.yaml:25:11: stage 'events': field 'kind'", "unknown sink kind 'database'"),
        ("type: sink", "type: drain", "test.yaml:24:11: stage 'events': field 'type'", "drain"),
    ])
    func rejectsWithTheLineStageAndField(original: String, replacement: String, location: String, message: String) throws {
        let yaml = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(yaml != Self.valid)
        let error = try #require(throws: PipelineError.self) { try SpecLoader.load(yaml: yaml, file: "test.yaml") }
        #expect(error.message.contains(location), "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func rejectsAStageNobodyConsumes() throws {
        let yaml = Self.valid.replacingOccurrences(of: "inputs: [det, decode]", with: "inputs: [decode]")
        let error = try #require(throws: PipelineError.self) { try SpecLoader.load(yaml: yaml, file: "test.yaml") }
        #expect(error.message.contains("stage 'det'") && error.message.contains("go nowhere"), "\(error.message)")
    }

    @Test func rejectsModelStagesWithoutARepository() throws {
        let yaml = Self.valid.replacingOccurrences(of: "repository: repo\n", with: "")
        let error = try #require(throws: PipelineError.self) { try SpecLoader.load(yaml: yaml, file: "test.yaml") }
        #expect(error.message.contains("stage 'det'") && error.message.contains("repository"), "\(error.message)")
    }

    @Test func reportsBrokenYAMLWithTheFileName() throws {
        let error = try #require(throws: PipelineError.self) {
            try SpecLoader.load(yaml: "name: x\nstages: [\n  - {", file: "broken.yaml")
        }
        #expect(error.message.hasPrefix("broken.yaml"), "\(error.message)")
    }

    @Test func rejectsDuplicateStageNames() throws {
        let yaml = Self.valid.replacingOccurrences(of: "name: det", with: "name: decode")
        let error = try #require(throws: PipelineError.self) { try SpecLoader.load(yaml: yaml, file: "test.yaml") }
        #expect(error.message.contains("already used"), "\(error.message)")
    }
}
