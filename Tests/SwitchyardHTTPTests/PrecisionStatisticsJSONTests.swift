import Foundation
import NIOCore
import SwitchyardServing
import Testing
@testable import SwitchyardHTTP

/// The `precision` and `shadow` objects of the statistics JSON.
@Suite struct PrecisionStatisticsJSONTests {
    @Test func precisionAndShadowAreWrittenWithEveryField() throws {
        var statistics = ModelStatistics(name: "cls", version: "1")
        statistics.precision = PrecisionStatistics(serving: "int8", variants: [
            PrecisionVariant(precision: "fp32", fileName: "model.onnx", path: "/r/cls/1/model.onnx", fileBytes: 4000),
            PrecisionVariant(precision: "int8", fileName: "model.int8.onnx", path: "/r/cls/1/model.int8.onnx", fileBytes: 1100),
        ], weightBytes: 1024, arenaBytes: 512)
        var shadow = ShadowStatistics(reference: "fp32", sampleRate: 0.25, metric: "auto", tolerance: 0.001, referenceBytes: 4096)
        shadow.sampled = 9
        shadow.compared = 6
        shadow.droppedBusy = 3
        shadow.comparedUnits = 8
        shadow.agreeingUnits = 6
        shadow.comparedElements = 16
        shadow.absoluteErrorSum = 2
        shadow.maxAbsoluteError = 0.5
        statistics.shadow = shadow
        var unshadowed = ModelStatistics(name: "det", version: "2")
        unshadowed.shadow = ShadowStatistics(reference: "fp16", sampleRate: 0, metric: "argmax", tolerance: 0, referenceBytes: 1)

        var writer = JSONWriter()
        StatisticsJSON.write([statistics, unshadowed], to: &writer)
        let text = String(buffer: writer.buffer)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let models = try #require(object["model_stats"] as? [[String: Any]])
        let precision = try #require(models[0]["precision"] as? [String: Any])
        #expect(precision["serving"] as? String == "int8")
        #expect(precision["weight_bytes"] as? Int == 1024 && precision["arena_bytes"] as? Int == 512)
        let variants = try #require(precision["variants"] as? [[String: Any]])
        #expect(variants.map { $0["precision"] as? String } == ["fp32", "int8"])
        #expect(variants.map { $0["file"] as? String } == ["model.onnx", "model.int8.onnx"])
        #expect(variants.map { $0["file_bytes"] as? Int } == [4000, 1100])
        let written = try #require(models[0]["shadow"] as? [String: Any])
        #expect(written["reference"] as? String == "fp32" && written["metric"] as? String == "auto")
        #expect(written["sample_rate"] as? Double == 0.25 && written["reference_bytes"] as? Int == 4096)
        #expect(written["sampled"] as? Int == 9 && written["compared"] as? Int == 6 && written["dropped_busy"] as? Int == 3)
        #expect(written["failed"] as? Int == 0)
        #expect(written["agreement"] as? Double == 0.75)
        #expect(written["max_abs_error"] as? Double == 0.5 && written["mean_abs_error"] as? Double == 0.125)
        // Before any comparison the ratios are null, not 0.
        let empty = try #require(models[1]["shadow"] as? [String: Any])
        #expect(empty["agreement"] is NSNull && empty["mean_abs_error"] is NSNull)
        #expect(models[1]["precision"] == nil)
    }
}
