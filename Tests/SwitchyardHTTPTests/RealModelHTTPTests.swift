import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardEngine
import SwitchyardONNX
import SwitchyardTensor
import Testing
@testable import SwitchyardHTTP

/// The PP-OCR direction classifier (scripts/setup.sh fetches it into models/) served over HTTP:
/// binary and JSON requests give the numbers a direct `Session.run` gives on the same input.
@Suite struct RealModelHTTPTests {
    static let modelPath: String = {
        var url = URL(fileURLWithPath: #filePath)  // Tests/SwitchyardHTTPTests/RealModelHTTPTests.swift
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/models/ch_ppocr_mobile_v2.0_cls_infer.onnx"
    }()

    @Test(.enabled(if: FileManager.default.fileExists(atPath: modelPath), "models/ not fetched: run scripts/setup.sh"))
    func classifierOverBinaryAndJSONMatchesTheEngine() async throws {
        let model = try ModelLoader.load(path: Self.modelPath)
        let service = try TestInferenceService(models: ["cls": model])
        let shape = [2, 3, 48, 192]
        let pixels = randomFloats(shape.reduce(1, *), seed: 321).map { $0 / 3 }
        let direct = try Session(model: model).run(["x": Tensor(shape: shape, scalars: pixels)])
        let outputName = try #require(direct.keys.first)
        let expected = try #require(direct[outputName]).scalars(as: Float.self)

        let header = #"{"inputs":[{"name":"x","shape":[2,3,48,192],"datatype":"FP32","parameters":{"binary_data_size":"#
            + "\(pixels.count * 4)}}]}"
        let body = binaryBody(json: header, tensors: [littleEndianBytes(pixels)])
        let json = #"{"inputs":[{"name":"x","shape":[2,3,48,192],"datatype":"FP32","data":["#
            + pixels.map { "\($0)" }.joined(separator: ",") + "]}]}"
        try await RouterHarness.run(service: service) { client in
            let binary = try await client.post("/v2/models/cls/infer", bytes: body.bytes, headers: body.headers)
            #expect(binary.status == .ok)
            let length = try #require(binary.headers[HTTPField.Name("Inference-Header-Content-Length")!].flatMap { Int($0) })
            let tail = Array(binary.body.readableBytesView.dropFirst(length))
            #expect(tail.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } == expected)

            let textual = try await client.post("/v2/models/cls/infer", json: json)
            #expect(textual.status == .ok)
            let output = try #require((textual.object["outputs"] as? [[String: Any]])?.first)
            #expect(output["shape"] as? [Int] == [2, 2])
            #expect((output["data"] as? [Double])?.map(Float.init) == expected)
        }
    }
}
