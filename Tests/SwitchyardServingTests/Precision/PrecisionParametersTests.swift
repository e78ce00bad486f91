import Foundation
import Testing
@testable import SwitchyardServing

/// Variant file names, the variant scan of a version directory, and the `precision` and
/// `shadow_*` parameters with their errors.
@Suite struct PrecisionParametersTests {
    typealias Kit = RepositoryTestKit

    @Test func variantFilesAreNamedAfterTheFullPrecisionFile() {
        #expect(PrecisionVariant.fileName(precision: "int8", defaultFileName: "model.onnx") == "model.int8.onnx")
        #expect(PrecisionVariant.fileName(precision: "fp16", defaultFileName: "net.onnx") == "net.fp16.onnx")
        #expect(PrecisionVariant.fileName(precision: "fp32", defaultFileName: "net.onnx") == "net.onnx")
        #expect(PrecisionVariant.fileName(precision: "bf16", defaultFileName: "weights") == "weights.bf16")
    }

    @Test func theScanFindsEveryVariantWithItsSizeAndNothingElse() throws {
        let root = try Kit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ["model.onnx": 40, "model.int8.onnx": 11, "model.fp16.onnx": 21, "model.onnx.data": 5,
                     "model..onnx": 3, "model.a.b.onnx": 3, "other.int8.onnx": 7, "notes.txt": 2]
        for (name, size) in files { try Kit.write(Data(repeating: 1, count: size), to: "\(root)/1/\(name)") }
        let variants = PrecisionVariant.variants(in: "\(root)/1", defaultFileName: "model.onnx")
        #expect(variants.map(\.precision) == ["fp32", "fp16", "int8"])
        #expect(variants.map(\.fileName) == ["model.onnx", "model.fp16.onnx", "model.int8.onnx"])
        #expect(variants.map(\.fileBytes) == [40, 21, 11])
        #expect(variants.map(\.path) == ["\(root)/1/model.onnx", "\(root)/1/model.fp16.onnx", "\(root)/1/model.int8.onnx"])
    }

    @Test func parametersSelectThePrecisionAndTheShadow() throws {
        let parameters = try ModelParameters(Self.parameters([
            "precision": "int8", "shadow_reference": "fp32", "shadow_sample_rate": "0.25",
            "shadow_metric": "Tolerance", "shadow_tolerance": "0.5",
        ]), file: "m/config.pbtxt")
        #expect(parameters.precision == "int8")
        #expect(parameters.shadow == ShadowSettings(reference: "fp32", sampleRate: 0.25, metric: .tolerance, tolerance: 0.5))

        let defaults = try ModelParameters(Self.parameters(["shadow_reference": "fp16"]), file: "m/config.pbtxt")
        #expect(defaults.precision == "fp32")
        #expect(defaults.shadow == ShadowSettings(reference: "fp16", sampleRate: 0.05, metric: .auto, tolerance: 0.001))
        #expect(try ModelParameters(Self.parameters([:]), file: "m/config.pbtxt").shadow == nil)
    }

    @Test func badPrecisionAndShadowParametersNameTheKey() {
        let cases: [([String: String], String)] = [
            (["precision": "../x"], "m/config.pbtxt: parameter 'precision': \"../x\" is not a precision name (letters, digits, '-' or '_': \"int8\" serves model.int8.onnx)"),
            (["precision": "int8", "shadow_reference": "int8"], "m/config.pbtxt: parameter 'shadow_reference': \"int8\" is the variant being served; name another one (e.g. \"fp32\" when 'precision' is \"int8\")"),
            (["shadow_reference": "fp32"], "m/config.pbtxt: parameter 'shadow_reference': \"fp32\" is the variant being served; name another one (e.g. \"fp32\" when 'precision' is \"int8\")"),
            (["shadow_reference": "a/b"], "m/config.pbtxt: parameter 'shadow_reference': \"a/b\" is not a precision name (letters, digits, '-' or '_', e.g. \"fp32\" or \"fp16\")"),
            (["precision": "int8", "shadow_reference": "fp32", "shadow_sample_rate": "1.5"], "m/config.pbtxt: parameter 'shadow_sample_rate': expected a fraction from 0 to 1 such as \"0.05\", got \"1.5\""),
            (["precision": "int8", "shadow_reference": "fp32", "shadow_sample_rate": "often"], "m/config.pbtxt: parameter 'shadow_sample_rate': expected a fraction from 0 to 1 such as \"0.05\", got \"often\""),
            (["precision": "int8", "shadow_reference": "fp32", "shadow_metric": "cosine"], "m/config.pbtxt: parameter 'shadow_metric': expected one of auto, argmax, tolerance, got \"cosine\""),
            (["precision": "int8", "shadow_reference": "fp32", "shadow_tolerance": "-1"], "m/config.pbtxt: parameter 'shadow_tolerance': expected a non-negative number such as \"0.001\", got \"-1\""),
            (["shadow_sample_rate": "0.5"], "m/config.pbtxt: parameter 'shadow_sample_rate': is set but 'shadow_reference' is not: name the variant to compare against, e.g. \"fp32\""),
        ]
        for (values, message) in cases {
            Kit.expectError(message) { () throws(ServingError) in _ = try ModelParameters(Self.parameters(values), file: "m/config.pbtxt") }
        }
    }

    static func parameters(_ values: [String: String]) -> [String: Inference_ModelParameter] {
        values.mapValues { text in
            var parameter = Inference_ModelParameter()
            parameter.stringValue = text
            return parameter
        }
    }
}
