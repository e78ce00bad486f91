import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import SwitchyardHTTP
import SwitchyardPipeline
import SwitchyardServing
import SwitchyardTensor
import Testing

/// A pipeline spec placed in the repository (`<repo>/rows/pipeline.yaml`) and served over
/// KServe v2: binary BYTES inputs reach the pipeline byte for byte, a processor's fan-out comes
/// back as rows in region order, and the per-stage metrics appear on the Prometheus scrape.
@Suite struct ServedSpecTests {
    typealias Kit = ServedPipelineRepository

    static let spec = """
        name: rows
        repository: ..
        stages:
          - name: request
            type: source
            kind: api
            tensors:
              - {name: FEATURES, datatype: FP32, dims: [-1, 4], value: features}
              - {name: TAG, datatype: BYTES, dims: [1], value: tag}
          - name: first
            type: model
            model: first
            inputs: [request]
            workers: 4
            input_map: {features: x}
            output_map: {y: hidden}
          - name: split
            type: processor
            processor: split-rows
            inputs: [first]
            workers: 2
          - name: answer
            type: sink
            kind: response
            inputs: [split]
            tensors:
              - {name: ROW_SUM, datatype: FP32, dims: [-1], value: sum}
              - {name: LABEL, datatype: BYTES, dims: [-1], value: label}
              - {name: BEST, datatype: FP32, dims: [-1], value: label}
              - {name: TAG_SUM, datatype: INT64, dims: [-1], value: tag_sum}
        """

    /// `split-rows`: one item per row of "hidden" (emitted last row first; regions put them back
    /// in order) with the row's sum, its best column as a label, and the byte sum of "tag".
    static var registry: ProcessorRegistry {
        var registry = ProcessorRegistry.builtin
        registry.register("split-rows") { _ in
            ClosureProcessor { item throws(PipelineError) in
                let hidden = try item.tensor("hidden")
                let tagSum = try item.bytes("tag").reduce(0) { $0 + Int($1) }
                let columns = hidden.shape[1], values = hidden.scalars(as: Float.self)
                return (0..<hidden.shape[0]).reversed().map { row in
                    let cells = Array(values[(row * columns)..<((row + 1) * columns)])
                    let best = cells.indices.max { cells[$0] < cells[$1] }!
                    return item.region(row, adding: [
                        "sum": .number(Double(cells.reduce(0, +))),
                        "label": .label("column \(best)", score: cells[best]),
                        "tag_sum": .number(Double(tagSum)),
                    ])
                }
            }
        }
        return registry
    }

    /// A binary-extension request: FEATURES as FP32 bytes, TAG as one BYTES element; JSON outputs.
    static func body(features: Tensor, tag: [UInt8]) -> (ByteBuffer, HTTPFields) {
        let featureBytes = features.withUnsafeBytes { Array($0) }
        let tagBytes = withUnsafeBytes(of: UInt32(tag.count).littleEndian) { Array($0) } + tag
        let header = """
            {"id":"http-1","parameters":{"binary_data_output":false},"inputs":[\
            {"name":"FEATURES","datatype":"FP32","shape":\(features.shape),"parameters":{"binary_data_size":\(featureBytes.count)}},\
            {"name":"TAG","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":\(tagBytes.count)}}]}
            """
        var buffer = ByteBuffer(string: header)
        buffer.writeBytes(featureBytes + tagBytes)
        return (buffer, [HTTPField.Name("Inference-Header-Content-Length")!: String(header.utf8.count)])
    }

    @Test func servedSpecAnswersOverHTTPAndItsStagesShowOnTheScrape() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        try repository.write(Self.spec, to: "pipeline.yaml", of: "rows")
        let prometheus = PrometheusCollectorRegistry()
        let served = try await repository.serve(registry: Self.registry, metrics: PrometheusEndpoint.makeFactory(registry: prometheus))
        let features = Kit.rows(3, columns: 4, seed: 77)
        let tag: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00, 0xC3]  // not UTF-8: must arrive unchanged
        let hidden = try #require(try await served.manager.infer(InferenceRequest(modelName: "first", inputs: [NamedTensor(name: "x", tensor: features)])).outputs.first).tensor.scalars(as: Float.self)
        let rows = (0..<3).map { Array(hidden[($0 * 3)..<($0 * 3 + 3)]) }

        let app = Application(router: KServeHTTP.router(service: served.routing))
        try await app.test(.router) { client in
            let metadata = try await client.execute(uri: "/v2/models/rows", method: .get)
            #expect(metadata.status == .ok)
            let described = try #require(try JSONSerialization.jsonObject(with: Data(metadata.body.readableBytesView)) as? [String: Any])
            #expect(described["platform"] as? String == "ensemble")
            #expect((described["inputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["FEATURES", "TAG"])
            let ready = try await client.execute(uri: "/v2/models/rows/ready", method: .get)
            #expect(ready.status == .ok)

            let (body, headers) = Self.body(features: features, tag: tag)
            let response = try await client.execute(uri: "/v2/models/rows/infer", method: .post, headers: headers, body: body)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(answer["id"] as? String == "http-1" && answer["model_name"] as? String == "rows")
            let outputs = Dictionary(uniqueKeysWithValues: ((answer["outputs"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) })
            let sums = (outputs["ROW_SUM"]?["data"] as? [NSNumber])?.map(\.floatValue) ?? []
            #expect(sums.count == 3)
            for (sum, row) in zip(sums, rows) { #expect(abs(sum - row.reduce(0, +)) < 1e-5) }
            let labels = outputs["LABEL"]?["data"] as? [String] ?? []
            #expect(labels == rows.map { row in "column \(row.indices.max { row[$0] < row[$1] }!)" })
            let best = (outputs["BEST"]?["data"] as? [NSNumber])?.map(\.floatValue) ?? []
            #expect(best == rows.map { $0.max()! })
            #expect((outputs["TAG_SUM"]?["data"] as? [NSNumber])?.map(\.intValue) == Array(repeating: tag.reduce(0) { $0 + Int($1) }, count: 3))
            #expect(outputs["ROW_SUM"]?["shape"] as? [Int] == [3] && outputs["TAG_SUM"]?["datatype"] as? String == "INT64")
        }

        let scrape = Application(router: PrometheusEndpoint.router(registry: prometheus))
        try await scrape.test(.router) { client in
            let page = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            for stage in ["request", "first", "split", "answer"] {
                #expect(page.contains(#"switchyard_pipeline_items_total{pipeline="rows",stage="\#(stage)"}"#), "\(stage)")
            }
            #expect(page.contains(#"switchyard_pipeline_items_total{pipeline="rows",stage="split"} 1"#))
            #expect(page.contains(#"switchyard_pipeline_items_total{pipeline="rows",stage="answer"} 3"#))
            #expect(page.contains(#"switchyard_pipeline_stage_latency_seconds_count{pipeline="rows",stage="first"} 1"#))
        }
        await served.shutdown()
    }

    @Test func specErrorsNameTheFileAndTheModelsStayServed() async throws {
        let repository = try Kit()
        defer { repository.remove() }
        let noTensors = Self.spec.replacingOccurrences(of: """
                tensors:
                  - {name: FEATURES, datatype: FP32, dims: [-1, 4], value: features}
                  - {name: TAG, datatype: BYTES, dims: [1], value: tag}
            """, with: "")
        try repository.write(noTensors, to: "pipeline.yaml", of: "rows")
        try repository.write(Self.spec.replacingOccurrences(of: "model: first", with: "model: missing")
            .replacingOccurrences(of: "name: rows", with: "name: lost"), to: "pipeline.yaml", of: "lost")
        let served = try await repository.serve(registry: Self.registry)
        let index = await served.routing.repositoryIndex(readyOnly: false)
        let rows = try #require(index.first { $0.name == "rows" })
        #expect(rows.state == "UNAVAILABLE" && rows.reason.contains("rows/pipeline.yaml") && rows.reason.contains("stage 'request': field 'tensors'"), "\(rows.reason)")
        let lost = try #require(index.first { $0.name == "lost" })
        #expect(lost.state == "UNAVAILABLE" && lost.reason.contains("lost/pipeline.yaml") && lost.reason.contains("no model 'missing'"), "\(lost.reason)")
        #expect(index.filter { $0.state == "READY" }.map(\.name) == ["first", "second"])
        await served.shutdown()
    }
}
