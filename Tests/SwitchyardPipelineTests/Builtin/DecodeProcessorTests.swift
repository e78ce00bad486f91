import Foundation
import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

@Suite("Built-in decoders: YOLOv8, top-k")
struct DecodeProcessorTests {
    @Test("yolo-decode finds the box and maps it back through the letterbox")
    func decodesYOLO() throws {
        // [1, 4 + 2 classes, 3 anchors]: anchor 1 is a box at (32, 40) 20x10, class 1 score 0.9.
        let anchors = 3
        var values = [Float](repeating: 0.01, count: 6 * anchors)
        for (row, value) in [(0, Float(32)), (1, 40), (2, 20), (3, 10), (5, 0.9)] { values[row * anchors + 1] = value }
        let head = Tensor(shape: [1, 6, anchors], scalars: values)
        let original = try Builtin.randomImage(width: 128, height: 64, seed: 45)
        let transform = LetterboxTransform(scale: 0.5, padX: 0, padY: 16)
        let out = try Builtin.processor("yolo-decode").process(Builtin.item(["output0": .tensor(head), "image": .image(original),
                                                                             "letterbox": .letterbox(transform)]))
        let detections = try out[0].detections("detections")
        #expect(detections.count == 1)
        #expect(detections.first?.classIndex == 1)
        let box = try #require(detections.first?.box)
        #expect(abs(box.x1 - 44) < 1e-3 && abs(box.x2 - 84) < 1e-3 && abs(box.y1 - 38) < 1e-3 && abs(box.y2 - 58) < 1e-3)
    }

    @Test("top-k names the best classes; k > 1 fans out one item per rank")
    func topK() throws {
        let scores = Tensor(shape: [1, 4], scalars: [Float(0.1), 0.7, 0.15, 0.05])
        let labels: OptionValue = .list([.string("w"), .string("x"), .string("y"), .string("z")])
        let one = try Builtin.processor("top-k", ["labels": labels]).process(Builtin.item(["scores": .tensor(scores)]))
        guard case .label(let name, let score)? = one.first?["label"] else { Issue.record("no label"); return }
        #expect(one.count == 1 && name == "x" && score == 0.7)
        let two = try Builtin.processor("top-k", ["k": .int(2)]).process(Builtin.item(["scores": .tensor(scores)]))
        #expect(two.map(\.region) == [0, 1])
        guard case .label(let second, _)? = two.last?["label"] else { Issue.record("no label"); return }
        #expect(second == "2")
        let mismatched = try Builtin.processor("top-k", ["labels": .list([.string("only")])])
        #expect(throws: PipelineError.self) { _ = try mismatched.process(Builtin.item(["scores": .tensor(scores)])) }
    }

    @Test("the builtin registry holds every built-in processor")
    func registry() {
        let names = Set(ProcessorRegistry.builtin.names)
        for name in ["decode-image", "resize", "letterbox", "normalize", "ocr-det-preprocess", "db-postprocess", "crop-regions",
                     "ocr-cls-preprocess", "ocr-cls-postprocess", "ocr-rec-preprocess", "ctc-decode", "yolo-decode", "top-k"] {
            #expect(names.contains(name), "missing \(name)")
        }
    }
}

/// The example models under the repository root's models/ (fetched by scripts/fetch-models.sh).
enum BuiltinModels {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)  // Tests/SwitchyardPipelineTests/Builtin/…
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    static var recognizer: String? {
        let path = root.appendingPathComponent("models/ch_PP-OCRv4_rec_infer.onnx").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
