import Foundation
import NIOCore
import SwitchyardTensor
import Testing
@testable import SwitchyardHTTP

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a":[1,-0,2.5,-1e-3,1E+2,true,false,null,"x\ty\u00e9\ud83d\ude00"],"b":{},"c":[]} "#)
        #expect(value["a"] == .array([.int(1), .int(0), .double(2.5), .double(-0.001), .double(100), .bool(true),
                                      .bool(false), .null, .string("x\tyé😀")]))
        #expect(value["b"] == .object([]))
        #expect(value["c"] == .array([]))
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONParser.parse("18446744073709551615") == .uint(.max))
        #expect(try JSONParser.parse("18446744073709551616") == .double(18446744073709551616))
    }

    @Test func decimalsMatchStrtod() throws {
        var generator = SplitMix64(seed: 404)
        for _ in 0..<5_000 {
            let value = Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -30...30, using: &generator)))
            for text in [value.description, String(format: "%.9g", value), String(format: "%.17e", value)] {
                let parsed = try JSONParser.parse(text)
                let expected = strtod(text, nil)
                #expect(parsed.doubleValue == expected, "\(text)")
            }
        }
    }

    @Test func rejectsWhatJSONForbids() {
        for bad in ["", "01", "1.", ".5", "-", "1e", "+1", "[1,]", "{\"a\"}", "{\"a\":1,}", "\"\\x\"", "\"a", "tru",
                    "[1] 2", "'a'", "\"\u{01}\"", "NaN", "-Infinity", "Infinity"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
        let nan = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1, NaN]") }
        #expect(nan?.message.contains("NaN/Infinity") == true)
        #expect(nan?.offset == 4)
        let invalidUTF8 = [UInt8]([0x22, 0xFF, 0x22])
        #expect(throws: JSONParseError.self) { try invalidUTF8.withUnsafeBytes { try JSONParser.parse($0) } }
    }

    /// Measures decoding of a 1×3×640×640 FP32 JSON body (a YOLO-sized image); the number goes
    /// in the report. Bound generous: this is a sanity check, not a timed test.
    @Test func largeImageBodyDecodes() throws {
        var generator = SplitMix64(seed: 405)
        let count = 3 * 640 * 640
        var text = #"{"inputs":[{"name":"images","shape":[1,3,640,640],"datatype":"FP32","data":["#
        text.reserveCapacity(count * 12)
        for index in 0..<count {
            if index > 0 { text += "," }
            text += String(Float.random(in: 0..<1, using: &generator))
        }
        text += "]}]}"
        let body = ByteBuffer(string: text)
        let clock = ContinuousClock()
        var decoded: DecodedInferRequest?
        let elapsed = try clock.measure {
            decoded = try InferRequestDecoder.decode(body: body, jsonLength: nil, modelName: "m", modelVersion: nil)
        }
        let tensor = try #require(decoded?.request.inputs.first?.tensor)
        #expect(tensor.shape == [1, 3, 640, 640])
        #expect(tensor.count == count)
        print("decode of a 1x3x640x640 FP32 JSON body (\(body.readableBytes) bytes): \(elapsed)")
        #expect(elapsed < .seconds(30))
    }
}
