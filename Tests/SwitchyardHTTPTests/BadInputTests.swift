import CompressNIO
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import SwitchyardHTTP

/// The issue's "Bad input" list: each answered with the right 4xx and a message that says what
/// was wrong.
@Suite struct BadInputTests {
    private static let uri = "/v2/models/affine/infer"

    private static func expectRejected(
        _ body: String, status: HTTPResponse.Status = .badRequest, mentioning needle: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await RouterHarness.run { client in
            let response = try await client.post(uri, json: body)
            #expect(response.status == status, "\(body) → \(response.text)", sourceLocation: sourceLocation)
            #expect(response.errorMessage.contains(needle), "\(response.errorMessage) lacks '\(needle)'",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func malformedJSON() async throws {
        try await Self.expectRejected(#"{"inputs":[{"name":"x",}]}"#, mentioning: "malformed JSON at byte")
        try await Self.expectRejected("not json", mentioning: "malformed JSON")
        try await Self.expectRejected("", mentioning: "truncated")
        try await Self.expectRejected("[]", mentioning: "must be a JSON object")
        try await Self.expectRejected(String(repeating: "[", count: 10_000), mentioning: "nesting deeper")
    }

    @Test func bareNaNAndInfinityTokens() async throws {
        for token in ["NaN", "Infinity", "-Infinity"] {
            try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,"# + token + ",2,3]}]}",
                                          mentioning: "NaN/Infinity")
        }
    }

    @Test func wrongDatatype() async throws {
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP33","data":[1,2,3,4]}]}"#,
                                      mentioning: "unknown datatype 'FP33'")
        try await Self.expectRejected(#"{"inputs":[{"name":"a","shape":[1,3],"datatype":"INT32","data":[1,1.5,2]}]}"#,
                                      mentioning: "element 1 is 1.5, not a valid INT32")
        try await Self.expectRejected(#"{"inputs":[{"name":"a","shape":[1,2],"datatype":"INT8","data":[1,300]}]}"#,
                                      mentioning: "element 1 is 300, not a valid INT8")
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,"2"]}]}"#,
                                      mentioning: "element 1 is a string")
        try await Self.expectRejected(#"{"inputs":[{"name":"f","shape":[1],"datatype":"BOOL","data":[1]}]}"#,
                                      mentioning: "BOOL data must be true or false")
        // A datatype the model does not take: the service's error comes through as 400.
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[1,2,3,4]}]}"#,
                                      mentioning: "affine")
    }

    @Test func wrongShape() async throws {
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3]}]}"#,
                                      mentioning: "shape [1, 4] holds 4 elements but 'data' has 3")
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,-4],"datatype":"FP32","data":[1,2,3,4]}]}"#,
                                      mentioning: "non-negative integers")
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[4611686018427387904,4],"datatype":"FP32","data":[1]}]}"#,
                                      mentioning: "too many elements")
        // Shape and data agree but the model wants [N, 4].
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1,2,3,4]}]}"#,
                                      mentioning: "affine")
    }

    @Test func binaryByteCountMismatch() async throws {
        let header = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":12}}]}"#
        let short = binaryBody(json: header, tensors: [[UInt8](repeating: 1, count: 12)])
        let extra = binaryBody(json: header.replacingOccurrences(of: ":12", with: ":16"), tensors: [[UInt8](repeating: 1, count: 20)])
        let missing = binaryBody(json: header.replacingOccurrences(of: ":12", with: ":16"), tensors: [[UInt8](repeating: 1, count: 8)])
        try await RouterHarness.run { client in
            let a = try await client.post(Self.uri, bytes: short.bytes, headers: short.headers)
            #expect(a.status == .badRequest)
            #expect(a.errorMessage.contains("input 'x': binary_data_size is 12 bytes but shape [1, 4] of FP32 needs 16"))
            let b = try await client.post(Self.uri, bytes: extra.bytes, headers: extra.headers)
            #expect(b.status == .badRequest)
            #expect(b.errorMessage.contains("4 bytes after the JSON header"))
            let c = try await client.post(Self.uri, bytes: missing.bytes, headers: missing.headers)
            #expect(c.status == .badRequest)
            #expect(c.errorMessage.contains("only 8 bytes of binary data remain"))
            // Header longer than the body.
            var headers = short.headers
            headers[HTTPField.Name("Inference-Header-Content-Length")!] = "100000"
            let d = try await client.post(Self.uri, bytes: short.bytes, headers: headers)
            #expect(d.status == .badRequest)
            #expect(d.errorMessage.contains("Inference-Header-Content-Length is 100000"))
            headers[HTTPField.Name("Inference-Header-Content-Length")!] = "-3"
            #expect(try await client.post(Self.uri, bytes: short.bytes, headers: headers).status == .badRequest)
            // BYTES element whose length runs past the data.
            let bytesHeader = #"{"inputs":[{"name":"x","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":6}}]}"#
            let lying = binaryBody(json: bytesHeader, tensors: [[200, 0, 0, 0, 65, 66]])
            let e = try await client.post(Self.uri, bytes: lying.bytes, headers: lying.headers)
            #expect(e.status == .badRequest)
            #expect(e.errorMessage.contains("claims 200 bytes"))
        }
    }

    @Test func missingAndUnknownInputs() async throws {
        try await Self.expectRejected(#"{"inputs":[]}"#, mentioning: "needs input 'x'")
        try await Self.expectRejected(#"{"id":"1"}"#, mentioning: "no 'inputs'")
        try await Self.expectRejected(#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32"}]}"#,
                                      mentioning: "neither 'data' nor parameters.binary_data_size")
        try await Self.expectRejected(#"{"inputs":[{"shape":[1],"datatype":"FP32","data":[1]}]}"#, mentioning: "inputs[0] has no 'name'")
        try await Self.expectRejected(#"{"inputs":[{"name":"y","shape":[1],"datatype":"FP32","data":[1]}]}"#,
                                      mentioning: "has no input 'y'")
        try await Self.expectRejected(
            #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}"#,
            mentioning: "given twice")
        try await Self.expectRejected(#"{"id":5,"inputs":[]}"#, mentioning: "'id' must be a string")
        try await Self.expectRejected(#"{"parameters":{"timeout":-1},"inputs":[]}"#, mentioning: "'timeout'")
    }

    @Test func unknownModelOrVersion() async throws {
        try await RouterHarness.run { client in
            let body = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}"#
            let model = try await client.post("/v2/models/ghost/infer", json: body)
            #expect(model.status == .notFound)
            #expect(model.errorMessage.contains("ghost"))
            let version = try await client.post("/v2/models/affine/versions/9/infer", json: body)
            #expect(version.status == .notFound)
            #expect(version.errorMessage.contains("no version 9"))
        }
    }

    @Test func oversizedBodies() async throws {
        try await RouterHarness.run(maxBodyBytes: 1024) { client in
            let big = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"pad":""#
                + String(repeating: "a", count: 2000) + "\"}"
            let declared = try await client.post(Self.uri, json: big)
            #expect(declared.status == .contentTooLarge)
            #expect(declared.errorMessage.contains("exceeds the limit of 1024 bytes"))
            // A body whose Content-Length understates it is cut off while streaming.
            let lying = try await client.post(Self.uri, json: big, headers: [.contentLength: "10"])
            #expect(lying.status == .contentTooLarge || lying.status == .badRequest)
            // A gzip bomb: under 1 KiB compressed, 512 KiB inflated.
            var zeros = ByteBuffer(bytes: [UInt8](repeating: 0x20, count: 1 << 19))
            let bomb = try zeros.compress(with: .gzip())
            #expect(bomb.readableBytes < 1024)
            let inflated = try await client.execute(uri: Self.uri, method: .post, headers: [.contentEncoding: "gzip"], body: bomb)
            #expect(inflated.status == .contentTooLarge)
            #expect(inflated.errorMessage.contains("gzip-decompressed request body exceeds"))
            // Still serving.
            let small = try await client.post(Self.uri, json: #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}"#)
            #expect(small.status == .ok)
        }
    }

    @Test func truncatedBodiesAndBadCompression() async throws {
        let body = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}"#
        try await RouterHarness.run { client in
            for cut in [1, 10, 30, 60, body.utf8.count - 1] {
                let response = try await client.post(Self.uri, json: String(body.prefix(cut)))
                #expect(response.status == .badRequest, "cut at \(cut): \(response.text)")
                #expect(response.errorMessage.contains("malformed JSON"))
            }
            var plain = ByteBuffer(string: body)
            let gzipped = try plain.compress(with: .gzip())
            let truncated = gzipped.getSlice(at: gzipped.readerIndex, length: gzipped.readableBytes / 2)!
            let cut = try await client.execute(uri: Self.uri, method: .post, headers: [.contentEncoding: "gzip"], body: truncated)
            #expect(cut.status == .badRequest)
            let garbage = try await client.execute(uri: Self.uri, method: .post, headers: [.contentEncoding: "gzip"],
                                                   body: ByteBuffer(string: "definitely not gzip"))
            #expect(garbage.status == .badRequest)
            #expect(garbage.errorMessage.contains("not a valid gzip stream"))
            let brotli = try await client.execute(uri: Self.uri, method: .post, headers: [.contentEncoding: "br"], body: ByteBuffer(string: body))
            #expect(brotli.status == .badRequest)
            #expect(brotli.errorMessage.contains("unsupported Content-Encoding 'br'"))
        }
    }
}
