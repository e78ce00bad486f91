import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardTensor
import Testing
@testable import SwitchyardHTTP

/// 10,000 random and mutated bodies in a row: each gets a 4xx (or 200 when the mutation left it
/// valid), never a 5xx or a crash; the router serves afterwards and RSS stays flat.
@Suite struct RandomBodyTests {
    private static let seeds: [(uri: String, body: [UInt8], binaryHeader: Int?)] = {
        let json = #"{"id":"s","parameters":{"priority":1},"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":[[1.5,-2,3e-3,4],[5,6,7,-8.25]]}],"outputs":[{"name":"relu","parameters":{"binary_data":true}}]}"#
        let ints = #"{"inputs":[{"name":"a","shape":[1,3],"datatype":"INT32","data":[1,2,3]},{"name":"m","shape":[1,3],"datatype":"INT64","data":[4,5,6]}]}"#
        let header = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}"#
        let binary = binaryBody(json: header, tensors: [littleEndianBytes([Float(1), -2, 3, -4])])
        return [("/v2/models/affine/infer", Array(json.utf8), nil), ("/v2/models/ints/infer", Array(ints.utf8), nil),
                ("/v2/models/affine/infer", binary.bytes, header.utf8.count)]
    }()

    private static let tokens: [[UInt8]] = ["NaN", "-Infinity", "{", "}", "[", "]", ",", ":", "\"", "\\u12", "1e999", "-0",
                                             "18446744073709551616", "null", "true", "\"shape\":[-1]", "\u{7F}", "\u{0}"].map { Array($0.utf8) }

    private static func mutate(_ body: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = body
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &generator)!, at: position)
            case 2: bytes = Array(bytes.prefix(position))
            case 3 where !bytes.isEmpty: bytes.remove(at: position)
            case 4:
                let repeated = Array(bytes[position...].prefix(20))
                bytes.insert(contentsOf: repeated, at: position)
            default:
                // Swap one digit for another: often still valid, exercising the 200 path too.
                if let digit = bytes.indices.filter({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }).randomElement(using: &generator) {
                    bytes[digit] = UInt8.random(in: 0x30...0x39, using: &generator)
                }
            }
        }
        return bytes
    }

    @Test func tenThousandBodiesInARow() async throws {
        try await RouterHarness.run(maxBodyBytes: 1 << 16) { client in
            var generator = SplitMix64(seed: 0xF022)
            var statuses: [Int: Int] = [:]
            var residentAfterWarmup = 0
            for iteration in 0..<10_000 {
                let seed = Self.seeds.randomElement(using: &generator)!
                let body: [UInt8]
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    body = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                } else {
                    body = Self.mutate(seed.body, &generator)
                }
                var headers = HTTPFields()
                if let length = seed.binaryHeader {
                    let jitter = Int.random(in: 0..<4, using: &generator) == 0 ? Int.random(in: -5...5, using: &generator) : 0
                    headers[HTTPField.Name("Inference-Header-Content-Length")!] = String(length + jitter)
                }
                let response = try await client.post(seed.uri, bytes: body, headers: headers)
                statuses[Int(response.status.code), default: 0] += 1
                let code = response.status.code
                #expect(code == 200 || (400..<500).contains(code), "iteration \(iteration): \(code) \(response.text)")
                if code != 200 { #expect(!response.errorMessage.isEmpty, "iteration \(iteration): no error message") }
                if iteration == 1000 { residentAfterWarmup = ProcessMetrics.sample()?.residentBytes ?? 0 }
            }
            let residentAtEnd = ProcessMetrics.sample()?.residentBytes ?? 0
            #expect(statuses.values.reduce(0, +) == 10_000)
            #expect(statuses[400, default: 0] > 5_000, "\(statuses)")
            #expect(statuses[200, default: 0] > 0, "\(statuses)")
            #expect(residentAtEnd - residentAfterWarmup < 64 << 20, "RSS grew from \(residentAfterWarmup) to \(residentAtEnd)")
            let after = try await client.post("/v2/models/affine/infer",
                                              json: #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,-1,2,-2]}]}"#)
            #expect(after.status == .ok)
            #expect(try await client.get("/v2/health/ready").status == .ok)
        }
    }
}
