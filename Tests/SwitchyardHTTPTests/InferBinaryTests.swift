import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardServing
import Testing
@testable import SwitchyardHTTP

@Suite struct InferBinaryTests {
    /// Splits a binary response into its JSON header and the bytes after it.
    private static func split(_ response: TestResponse) throws -> (json: [String: Any], tail: [UInt8]) {
        let length = try #require(response.headers[HTTPField.Name("Inference-Header-Content-Length")!].flatMap { Int($0) })
        let bytes = Array(response.body.readableBytesView)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes[0..<length])) as? [String: Any])
        return (json, Array(bytes[length...]))
    }

    private static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
        Array(bytes).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    @Test func binaryInputMixedOutputs() async throws {
        let x = randomFloats(8, seed: 311)
        let reference = affineReference(x)
        let header = #"{"id":"bin","inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","parameters":{"binary_data_size":32}}],"#
            + #""outputs":[{"name":"scaled","parameters":{"binary_data":true}},{"name":"relu","parameters":{"binary_data":false}}]}"#
        let body = binaryBody(json: header, tensors: [littleEndianBytes(x)])
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/affine/infer", bytes: body.bytes, headers: body.headers)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/octet-stream")
            let (json, tail) = try Self.split(response)
            #expect(json["id"] as? String == "bin")
            let outputs = try #require(json["outputs"] as? [[String: Any]])
            #expect((outputs[0]["parameters"] as? [String: Int])?["binary_data_size"] == 32)
            #expect(outputs[0]["data"] == nil)
            #expect((outputs[1]["data"] as? [Double])?.map(Float.init) == reference.relu)
            #expect(tail.count == 32)
            #expect(Self.floats(tail[0..<32]) == reference.scaled)
        }
    }

    @Test func binaryRequestWithoutOutputsGetsBinaryOutputs() async throws {
        let x = randomFloats(4, seed: 312)
        let reference = affineReference(x)
        let header = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}"#
        let body = binaryBody(json: header, tensors: [littleEndianBytes(x)])
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/affine/infer", bytes: body.bytes, headers: body.headers)
            #expect(response.status == .ok)
            let (json, tail) = try Self.split(response)
            let outputs = try #require(json["outputs"] as? [[String: Any]])
            #expect(outputs.allSatisfy { ($0["parameters"] as? [String: Int])?["binary_data_size"] == 16 })
            #expect(Self.floats(tail[0..<16]) == reference.scaled)
            #expect(Self.floats(tail[16..<32]) == reference.relu)
        }
    }

    @Test func jsonRequestAsksForBinaryOutputsWithRequestParameter() async throws {
        let x = randomFloats(4, seed: 313)
        let body = #"{"parameters":{"binary_data_output":true},"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":"#
            + "[" + x.map { "\($0)" }.joined(separator: ",") + "]}]}"
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/affine/infer", json: body)
            #expect(response.status == .ok)
            let (_, tail) = try Self.split(response)
            #expect(Self.floats(tail[16..<32]) == affineReference(x).relu)
        }
    }

    @Test func mixedBinaryAndJSONInputsOfTwoTypes() async throws {
        let a: [Int32] = [7, -8, 9, 10, -11, 12]
        let header = #"{"inputs":[{"name":"a","shape":[2,3],"datatype":"INT32","parameters":{"binary_data_size":24}},"#
            + #"{"name":"m","shape":[2,3],"datatype":"INT64","data":[1,2,3,4,5,6]}],"outputs":[{"name":"neg","parameters":{"binary_data":true}},{"name":"twice"}]}"#
        let body = binaryBody(json: header, tensors: [littleEndianBytes(a)])
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/ints/infer", bytes: body.bytes, headers: body.headers)
            #expect(response.status == .ok)
            let (json, tail) = try Self.split(response)
            let negated = tail.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            #expect(negated == a.map { -$0 })
            #expect((json["outputs"] as? [[String: Any]])?[1]["data"] as? [Int] == [2, 4, 6, 8, 10, 12])
        }
    }

    @Test func bytesTensorsBinaryRoundTrip() throws {
        let strings = ["", "naïve", String(repeating: "z", count: 300)]
        var raw: [UInt8] = []
        for string in strings {
            raw += littleEndianBytes([UInt32(string.utf8.count)]) + Array(string.utf8)
        }
        let header = #"{"inputs":[{"name":"s","shape":[3],"datatype":"BYTES","parameters":{"binary_data_size":"# + "\(raw.count)}}]}"
        let body = binaryBody(json: header, tensors: [raw])
        let decoded = try InferRequestDecoder.decode(body: ByteBuffer(bytes: body.bytes), jsonLength: header.utf8.count,
                                                     modelName: "m", modelVersion: nil)
        let tensor = try #require(decoded.request.inputs.first?.tensor)
        #expect(tensor.strings == strings)
        var out = ByteBuffer()
        BinaryTensor.write(tensor, to: &out)
        #expect(Array(out.readableBytesView) == raw)
        #expect(BinaryTensor.byteCount(of: tensor) == raw.count)
    }

    @Test func gzipAndDeflateBodies() async throws {
        let x = randomFloats(8, seed: 314)
        let header = #"{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","parameters":{"binary_data_size":32}}],"#
            + #""outputs":[{"name":"relu","parameters":{"binary_data":true}}]}"#
        let body = binaryBody(json: header, tensors: [littleEndianBytes(x)])
        try await RouterHarness.run { client in
            for (name, algorithm) in [("gzip", CompressionAlgorithm.gzip()), ("deflate", .deflate())] {
                var plain = ByteBuffer(bytes: body.bytes)
                let compressed = try plain.compress(with: algorithm)
                var headers = body.headers
                headers[.contentEncoding] = name
                let response = try await client.execute(uri: "/v2/models/affine/infer", method: .post, headers: headers, body: compressed)
                #expect(response.status == .ok, "\(name): \(response.text)")
                let (_, tail) = try Self.split(response)
                #expect(Self.floats(tail[0..<32]) == affineReference(x).relu)
            }
            // JSON-only gzip body, lower-case header value, no Content-Type.
            var json = ByteBuffer(string: #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,-1,2,-2]}]}"#)
            let compressed = try json.compress(with: .gzip())
            let response = try await client.execute(uri: "/v2/models/affine/infer", method: .post,
                                                    headers: [.contentEncoding: "GZIP"], body: compressed)
            #expect(response.status == .ok)
            #expect(((response.object["outputs"] as? [[String: Any]])?[1]["data"] as? [Double]) == [1, 0, 2, 0])
        }
    }
}
