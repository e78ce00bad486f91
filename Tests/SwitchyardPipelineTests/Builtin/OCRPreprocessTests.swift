import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

@Suite("Built-in PP-OCR pre- and post-processors")
struct OCRPreprocessTests {
    /// The value rapidocr puts in tensor position (channel c, row y, column x) for image pixel
    /// (x, y), channel in BGR order: (p / 255 - 0.5) / 0.5.
    static func expected(_ image: Image, x: Int, y: Int, channel: Int) -> Float {
        let rgb = 2 - channel
        return (Float(image.pixels[(y * image.width + x) * 3 + rgb]) / 255 - 0.5) / 0.5
    }

    @Test("ocr-det-preprocess sizes as rapidocr: short side to 736, sides to multiples of 32", arguments: [
        (640, 360, 1312, 736), (800, 1000, 800, 992), (736, 736, 736, 736), (1000, 200, 3680, 736),
    ])
    func detectorSize(width: Int, height: Int, tensorWidth: Int, tensorHeight: Int) throws {
        let image = try Builtin.randomImage(width: width, height: height, seed: 21)
        let out = try Builtin.processor("ocr-det-preprocess").process(Builtin.item(["image": .image(image)]))
        let tensor = try #require(out[0].tensorValue("tensor"))
        #expect(tensor.shape == [1, 3, tensorHeight, tensorWidth])
        #expect(out[0].imageValue("image") == image, "the original stays for cropping")
    }

    @Test("ocr-det-preprocess feeds BGR, (x/255-0.5)/0.5; limit_type max bounds the long side")
    func detectorValues() throws {
        let image = try Builtin.randomImage(width: 64, height: 96, seed: 22)
        let out = try Builtin.processor("ocr-det-preprocess", ["limit_side_len": .int(96), "limit_type": .string("max")])
            .process(Builtin.item(["image": .image(image)]))
        let tensor = try #require(out[0].tensorValue("tensor"))
        #expect(tensor.shape == [1, 3, 96, 64], "already within the limit and multiples of 32: no resize")
        let values = tensor.floats()
        for (x, y) in [(0, 0), (63, 95), (17, 40)] {
            for channel in 0..<3 {
                let got = values[(channel * 96 + y) * 64 + x]
                #expect(abs(got - Self.expected(image, x: x, y: y, channel: channel)) < 1e-5)
            }
        }
    }

    @Test("ocr-cls-preprocess: 3x48x192, the line resized to ceil(48 w/h) columns, zeros after")
    func classifierInput() throws {
        let line = try Builtin.randomImage(width: 40, height: 20, seed: 23)
        let out = try Builtin.processor("ocr-cls-preprocess").process(Builtin.item(["crop": .image(line)]))
        let tensor = try #require(out[0].tensorValue("tensor"))
        #expect(tensor.shape == [1, 3, 48, 192])
        let values = tensor.floats()
        let body = line.reversingChannels().resized(width: 96, height: 48).tensor(mean: [0.5], std: [0.5]).floats()
        for channel in 0..<3 {
            for y in [0, 23, 47] {
                for x in [0, 50, 95] { #expect(abs(values[(channel * 48 + y) * 192 + x] - body[(channel * 48 + y) * 96 + x]) < 1e-5) }
                for x in [96, 150, 191] { #expect(values[(channel * 48 + y) * 192 + x] == 0) }
            }
        }
        let wide = try Builtin.randomImage(width: 300, height: 20, seed: 24)
        let full = try Builtin.processor("ocr-cls-preprocess").process(Builtin.item(["crop": .image(wide)]))[0].tensorValue("tensor")
        let fullExpected = wide.reversingChannels().resized(width: 192, height: 48).tensor(mean: [0.5], std: [0.5]).floats()
        let fullValues = try #require(full).floats()
        #expect(fullValues.count == fullExpected.count)
        #expect(zip(fullValues, fullExpected).allSatisfy { abs($0 - $1) < 1e-5 }, "the same line tensor, up to float rounding")
    }

    @Test("ocr-rec-preprocess pads to max(320, 48 w/h), and up to width_step", arguments: [
        (200, 20, 1, 480), (50, 25, 1, 320), (500, 20, 160, 1280), (60, 20, 160, 320),
    ])
    func recognizerWidth(width: Int, height: Int, step: Int, paddedWidth: Int) throws {
        let line = try Builtin.randomImage(width: width, height: height, seed: 25)
        let out = try Builtin.processor("ocr-rec-preprocess", ["width_step": .int(step)]).process(Builtin.item(["crop": .image(line)]))
        let tensor = try #require(out[0].tensorValue("tensor"))
        #expect(tensor.shape == [1, 3, 48, paddedWidth])
        let resized = min(paddedWidth, Int((48 * Double(width) / Double(height)).rounded(.up)))
        let values = tensor.floats()
        #expect(values[resized - 1] != 0 || values[48 * paddedWidth + resized - 1] != 0)
        if resized < paddedWidth { #expect(values[paddedWidth - 1] == 0 && values[resized] == 0) }
    }

    @Test("lines are padded as in rapidocr's batches: sorted by w/h, 6 (here 3) a batch, to the widest")
    func batchWidths() {
        let lines = [(200, 20), (40, 20), (100, 20), (160, 20), (20, 20), (60, 20), (140, 20)].map { (width: $0.0, height: $0.1) }
        #expect(PPOCRInput.recognitionWidths(forLines: lines, batchSize: 3) == [480, 320, 384, 384, 320, 320, 384])
        #expect(PPOCRInput.recognitionWidths(forLines: lines, batchSize: 1) == [480, 320, 320, 384, 320, 320, 336])
    }

    @Test("ocr-rec-preprocess pads to the item's rec_width, the line resized to its own width")
    func recognizerBatchWidth() throws {
        let line = try Builtin.randomImage(width: 100, height: 20, seed: 28)
        let out = try Builtin.processor("ocr-rec-preprocess").process(Builtin.item(["crop": .image(line), "rec_width": .number(480)]))
        let tensor = try #require(out[0].tensorValue("tensor"))
        #expect(tensor.shape == [1, 3, 48, 480])
        let body = line.reversingChannels().resized(width: 240, height: 48).tensor(mean: [0.5], std: [0.5]).floats()
        let values = tensor.floats()
        #expect(values[239] == body[239] && values[240] == 0 && values[479] == 0)
    }

    @Test("ocr-cls-postprocess turns the crop only when '180' scores above the threshold", arguments: [
        ([Float(0.05), 0.95], true), ([0.15, 0.85], false), ([0.95, 0.05], false), ([0.1, 0.9], false),
    ])
    func classifierDecision(probabilities: [Float], rotates: Bool) throws {
        let crop = try Builtin.randomImage(width: 30, height: 10, seed: 26)
        let item = Builtin.item(["crop": .image(crop), "probabilities": .tensor(Tensor(shape: [1, 2], scalars: probabilities)),
                                 "tensor": .tensor(Tensor(shape: [1], scalars: [Float(1)]))])
        let out = try Builtin.processor("ocr-cls-postprocess").process(item)
        #expect(out[0].imageValue("crop") == (rotates ? crop.rotated180() : crop))
        #expect(out[0]["probabilities"] == nil && out[0]["tensor"] == nil)
        #expect(try out[0].string("cls_label") == (probabilities[1] > probabilities[0] ? "180" : "0"))
    }

    @Test("ocr-cls-postprocess rejects probabilities of the wrong size, naming the stage")
    func classifierShape() throws {
        let item = Builtin.item(["crop": .image(try Builtin.randomImage(width: 4, height: 4, seed: 27)),
                                 "probabilities": .tensor(Tensor(shape: [1, 3], scalars: [Float(0.2), 0.3, 0.5]))])
        let processor = try Builtin.processor("ocr-cls-postprocess")
        let error = #expect(throws: PipelineError.self) { _ = try processor.process(item) }
        #expect(error?.message.contains("stage 'stage'") == true)
    }
}
