import Foundation
import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

@Suite("Built-in CTC decoder")
struct CTCDecodeProcessorTests {
    /// A dictionary file "a", "b", "c" in a fresh temporary folder.
    static func dictionary() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ctc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("keys.txt").path
        try "a\nb\nc\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// [1, T, 5] probabilities (blank, a, b, c, space) whose argmax per step is `steps[t]` with
    /// probability `peak` (the rest shared), plus seeded jitter below the peak.
    static func logits(_ steps: [Int], peak: Float, seed: UInt64) -> Tensor {
        var generator = SplitMix64(seed: seed)
        var values: [Float] = []
        for best in steps {
            for index in 0..<5 {
                values.append(index == best ? peak : (1 - peak) / 4 * Float(generator.next() % 90 + 10) / 100)
            }
        }
        return Tensor(shape: [1, steps.count, 5], scalars: values)
    }

    @Test("ctc-decode collapses repeats, drops blanks and averages the kept steps' probabilities")
    func decodesText() throws {
        let processor = try Builtin.processor("ctc-decode", ["dictionary": .string(try Self.dictionary())])
        // a a _ b _ b space c c -> "abb c"
        let item = Builtin.item(["logits": .tensor(Self.logits([1, 1, 0, 2, 0, 2, 4, 3, 3], peak: 0.8, seed: 41)),
                                 "crop": .image(try Builtin.randomImage(width: 4, height: 2, seed: 42)),
                                 "quad": .quad(Quad(points: [Point(x: 0, y: 0), Point(x: 4, y: 0), Point(x: 4, y: 2), Point(x: 0, y: 2)]))])
        let out = try processor.process(item)
        guard case .text(let text, let confidence)? = out.first?["text"] else { Issue.record("no text"); return }
        #expect(text == "abb c")
        #expect(abs(confidence - 0.8) < 1e-6)
        #expect(out[0]["crop"] == nil && out[0]["logits"] == nil && out[0]["quad"] != nil)
    }

    @Test("ctc-decode drops lines under min_confidence (rapidocr's text_score)")
    func filtersLowConfidence() throws {
        let processor = try Builtin.processor("ctc-decode", ["dictionary": .string(try Self.dictionary()), "min_confidence": .double(0.5)])
        #expect(try processor.process(Builtin.item(["logits": .tensor(Self.logits([1, 2, 3], peak: 0.45, seed: 43))])).isEmpty)
        #expect(try processor.process(Builtin.item(["logits": .tensor(Self.logits([0, 0], peak: 0.9, seed: 44))])).isEmpty,
                "an empty line has confidence 0")
    }

    @Test("ctc-decode needs exactly one dictionary source and a matching class count")
    func dictionaryErrors() throws {
        #expect(Builtin.optionError("ctc-decode", [:])?.message.contains("dictionary") == true)
        #expect(Builtin.optionError("ctc-decode", ["dictionary": .string("/nonexistent/keys.txt")])?.message.contains("/nonexistent/keys.txt") == true)
        #expect(Builtin.optionError("ctc-decode", ["model": .string("/nonexistent/rec.onnx")])?.message.contains("'model'") == true)
        let processor = try Builtin.processor("ctc-decode", ["dictionary": .string(try Self.dictionary())])
        let wide = Tensor(shape: [1, 2, 7], scalars: [Float](repeating: 0.1, count: 14))
        let error = #expect(throws: PipelineError.self) { _ = try processor.process(Builtin.item(["logits": .tensor(wide)])) }
        #expect(error?.message.contains("stage 'stage'") == true)
    }

    @Test("ctc-decode reads PP-OCRv4's dictionary from the recognizer's metadata", .enabled(if: BuiltinModels.recognizer != nil))
    func modelDictionary() throws {
        let processor = try Builtin.processor("ctc-decode", ["model": .string(BuiltinModels.recognizer!)])
        // 6625 classes: blank + 6623 dictionary entries + space. Steps: class 1 then blank.
        var values = [Float](repeating: 0, count: 2 * 6625)
        values[1] = 0.9
        values[6625] = 0.9
        let out = try processor.process(Builtin.item(["logits": .tensor(Tensor(shape: [1, 2, 6625], scalars: values))]))
        guard case .text(let text, _)? = out.first?["text"] else { Issue.record("no text"); return }
        #expect(text.count == 1)
    }
}
