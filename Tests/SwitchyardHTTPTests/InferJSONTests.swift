import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import SwitchyardHTTP
import SwitchyardServing
import SwitchyardTensor

@Suite struct InferJSONTests {
    private static func floatsJSON(_ values: [Float]) -> String {
        "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
    }

    @Test func flatDataGivesTheModelsNumbersAndEchoesTheID() async throws {
        let x = randomFloats(12, seed: 301)
        let reference = affineReference(x)
        let body = #"{"id":"req-42","inputs":[{"name":"x","shape":[3,4],"datatype":"FP32","data":"# + Self.floatsJSON(x) + "}]}"
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/affine/infer", json: body)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.object["id"] as? String == "req-42")
            #expect(response.object["model_name"] as? String == "affine")
            #expect(response.object["model_version"] as? String == "1")
            let outputs = try #require(response.object["outputs"] as? [[String: Any]])
            #expect(outputs.map { $0["name"] as? String } == ["scaled", "relu"])
            #expect(outputs[0]["datatype"] as? String == "FP32")
            #expect(outputs[0]["shape"] as? [Int] == [3, 4])
            let scaled = try #require((outputs[0]["data"] as? [Double])?.map(Float.init))
            let relu = try #require((outputs[1]["data"] as? [Double])?.map(Float.init))
            #expect(scaled == reference.scaled)
            #expect(relu == reference.relu)
        }
    }

    @Test func nestedDataEqualsFlatData() async throws {
        let x = randomFloats(8, seed: 302)
        let nested = "[" + [x[0..<4], x[4..<8]].map { Self.floatsJSON(Array($0)) }.joined(separator: ",") + "]"
        let body = #"{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":"# + nested + "}]}"
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/affine/infer", json: body)
            #expect(response.status == .ok)
            #expect(response.object["id"] == nil)
            let outputs = try #require(response.object["outputs"] as? [[String: Any]])
            #expect((outputs[0]["data"] as? [Double])?.map(Float.init) == affineReference(x).scaled)
        }
    }

    @Test func requestedOutputSubsetInItsOrder() async throws {
        let x = randomFloats(4, seed: 303)
        let body = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":"# + Self.floatsJSON(x)
            + #"}],"outputs":[{"name":"relu"}]}"#
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/affine/infer", json: body)
            #expect(response.status == .ok)
            let outputs = try #require(response.object["outputs"] as? [[String: Any]])
            #expect(outputs.count == 1)
            #expect(outputs.first?["name"] as? String == "relu")
            #expect((outputs.first?["data"] as? [Double])?.map(Float.init) == affineReference(x).relu)
            let unknown = try await client.post("/v2/models/affine/infer", json: body.replacingOccurrences(of: "\"relu\"", with: "\"nope\""))
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorMessage.contains("no output 'nope'"))
        }
    }

    @Test func integerAndBoolDatatypes() async throws {
        let body = #"{"inputs":[{"name":"a","shape":[2,3],"datatype":"INT32","data":[1,-2,3,-2147483647,5,2147483647]},"#
            + #"{"name":"m","shape":[2,3],"datatype":"INT64","data":[[9007199254740993,-4,0],[1,2,-4611686018427387904]]}]}"#
        try await RouterHarness.run { client in
            let response = try await client.post("/v2/models/ints/infer", json: body)
            #expect(response.status == .ok)
            let outputs = try #require(response.object["outputs"] as? [[String: Any]])
            #expect(outputs[0]["datatype"] as? String == "INT32")
            #expect(outputs[0]["data"] as? [Int] == [-1, 2, -3, 2147483647, -5, -2147483647])
            #expect(outputs[1]["datatype"] as? String == "INT64")
            // Beyond 2^53: only an exact integer path keeps the last digit.
            #expect(response.text.contains("18014398509481986"))
            #expect(response.text.contains("-9223372036854775808"))

            let flags = try await client.post("/v2/models/flags/infer",
                                              json: #"{"inputs":[{"name":"f","shape":[3],"datatype":"BOOL","data":[true,false,true]}]}"#)
            #expect(flags.status == .ok)
            let not = try #require((flags.object["outputs"] as? [[String: Any]])?.first)
            #expect(not["datatype"] as? String == "BOOL")
            #expect(not["data"] as? [Bool] == [false, true, false])
        }
    }

    @Test func priorityAndTimeoutReachTheRequest() throws {
        let body = #"{"parameters":{"priority":2,"timeout":1500},"inputs":[{"name":"x","shape":[1],"datatype":"FP64","data":[0.5]}]}"#
        let decoded = try InferRequestDecoder.decode(body: ByteBuffer(string: body), jsonLength: nil, modelName: "m", modelVersion: 3)
        #expect(decoded.request.priority == 2)
        #expect(decoded.request.timeoutMicroseconds == 1500)
        #expect(decoded.request.modelVersion == 3)
        #expect(decoded.request.inputs.first?.tensor.scalars(as: Double.self) == [0.5])
    }

    @Test func halfPrecisionAndBytesDecode() throws {
        let body = #"{"inputs":[{"name":"h","shape":[3],"datatype":"FP16","data":[0.5,-2,65504]},"#
            + #"{"name":"b","shape":[2],"datatype":"BF16","data":[1.5,-3]},"#
            + #"{"name":"s","shape":[2],"datatype":"BYTES","data":["héllo","a\"b\\n\u00e9"]}]}"#
        let decoded = try InferRequestDecoder.decode(body: ByteBuffer(string: body), jsonLength: nil, modelName: "m", modelVersion: nil)
        let tensors = decoded.request.inputs.map(\.tensor)
        #expect(tensors[0].scalars(as: Float16.self) == [0.5, -2, 65504])
        #expect(tensors[1].scalars(as: BFloat16.self).map(\.floatValue) == [1.5, -3])
        #expect(tensors[2].strings == ["héllo", "a\"b\\né"])
        // FP16 overflow is out of range, not infinity.
        let overflow = #"{"inputs":[{"name":"h","shape":[1],"datatype":"FP16","data":[70000]}]}"#
        #expect(throws: ServingError.self) {
            try InferRequestDecoder.decode(body: ByteBuffer(string: overflow), jsonLength: nil, modelName: "m", modelVersion: nil)
        }
    }

    @Test func jsonOutputsRoundTripEveryDatatype() throws {
        let response = InferenceResponse(id: "", modelName: "m", modelVersion: 1, outputs: [
            NamedTensor(name: "f16", tensor: Tensor(shape: [2], scalars: [Float16(0.5), Float16(-1.25)])),
            NamedTensor(name: "u64", tensor: Tensor(shape: [1], scalars: [UInt64.max])),
            NamedTensor(name: "i8", tensor: Tensor(shape: [2], scalars: [Int8(-128), 127])),
            NamedTensor(name: "s", tensor: Tensor(shape: [1], strings: ["q\"\n"])),
            NamedTensor(name: "d", tensor: Tensor(shape: [2], scalars: [0.1, 1e300])),
        ])
        let encoded = InferResponseEncoder.encode(response, format: OutputFormat())
        #expect(encoded.jsonLength == nil)
        let parsed = try JSONParser.parse(String(buffer: encoded.body))
        guard case .array(let outputs)? = parsed["outputs"] else { Issue.record("no outputs"); return }
        #expect(outputs[0]["data"] == .array([.double(0.5), .double(-1.25)]))
        #expect(outputs[1]["data"] == .array([.uint(UInt64.max)]))
        #expect(outputs[2]["data"] == .array([.int(-128), .int(127)]))
        #expect(outputs[3]["data"] == .array([.string("q\"\n")]))
        #expect(outputs[4]["data"] == .array([.double(0.1), .double(1e300)]))
        #expect(outputs[0]["datatype"] == .string("FP16"))
    }
}
