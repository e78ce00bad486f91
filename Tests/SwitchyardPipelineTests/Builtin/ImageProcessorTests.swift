import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

@Suite("Built-in image processors")
struct ImageProcessorTests {
    @Test("decode-image decodes PNG bytes into the image and drops the bytes")
    func decodesPNG() throws {
        let image = try Builtin.randomImage(width: 13, height: 7, seed: 11)
        let png = try ImageCodec.encodePNG(image)
        let out = try Builtin.processor("decode-image").process(Builtin.item(["bytes": .bytes(png)]))
        #expect(out.count == 1)
        #expect(out[0].imageValue("image") == image)
        #expect(out[0]["bytes"] == nil)
        let kept = try Builtin.processor("decode-image", ["keep_bytes": .bool(true)]).process(Builtin.item(["bytes": .bytes(png)]))
        #expect(kept[0]["bytes"] != nil)
    }

    @Test("decode-image names the stage, frame and file when the bytes are not an image")
    func rejectsGarbage() throws {
        let item = Builtin.item(["bytes": .bytes([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]), "path": .string("pages/broken.png")])
        let processor = try Builtin.processor("decode-image")
        let error = #expect(throws: PipelineError.self) { _ = try processor.process(item) }
        let message = error?.message ?? ""
        #expect(message.contains("stage 'stage'") && message.contains("frame 3") && message.contains("pages/broken.png"))
    }

    @Test("resize gives the vision library's bilinear resize at the requested size")
    func resizes() throws {
        let image = try Builtin.randomImage(width: 40, height: 30, seed: 12)
        let out = try Builtin.processor("resize", ["width": .int(17), "height": .int(9)]).process(Builtin.item(["image": .image(image)]))
        let resized = try #require(out[0].imageValue("image"))
        #expect(resized.width == 17 && resized.height == 9)
        #expect(resized == image.resized(width: 17, height: 9))
        #expect(Builtin.optionError("resize", ["width": .int(0), "height": .int(9)])?.message.contains("'width'") == true)
        #expect(Builtin.optionError("resize", ["height": .int(9)])?.message.contains("missing") == true)
    }

    @Test("letterbox keeps the original, adds the letterboxed image and the transform back")
    func letterboxes() throws {
        let image = try Builtin.randomImage(width: 64, height: 32, seed: 13)
        let out = try Builtin.processor("letterbox", ["width": .int(32), "height": .int(32)]).process(Builtin.item(["image": .image(image)]))
        #expect(out[0].imageValue("image") == image)
        let boxed = try #require(out[0].imageValue("letterboxed"))
        #expect(boxed.width == 32 && boxed.height == 32)
        let transform = try out[0].letterbox("letterbox")
        #expect(abs(transform.scale - 0.5) < 1e-6)
        let back = transform.toOriginal(Box(x1: 0, y1: transform.padY, x2: 32, y2: 32 - transform.padY))
        #expect(abs(back.x2 - 64) < 0.5 && abs(back.y2 - 32) < 0.5)
        #expect(Builtin.optionError("letterbox", ["width": .int(8), "height": .int(8), "fill": .int(300)]) != nil)
    }

    @Test("normalize computes (x * scale - mean) / std per channel, in RGB or BGR, NCHW or NHWC")
    func normalizes() throws {
        let image = try Image(width: 2, height: 1, channels: 3, pixels: [10, 20, 30, 40, 50, 60])
        let options: [String: OptionValue] = ["mean": .list([.double(0.1), .double(0.2), .double(0.3)]),
                                              "std": .list([.double(0.5), .double(0.25), .double(2)])]
        let rgb = try #require(try Builtin.processor("normalize", options).process(Builtin.item(["image": .image(image)]))[0].tensorValue("tensor"))
        #expect(rgb.shape == [1, 3, 1, 2])
        let expected: [Float] = [(10 / 255 - 0.1) / 0.5, (40 / 255 - 0.1) / 0.5, (20 / 255 - 0.2) / 0.25,
                                 (50 / 255 - 0.2) / 0.25, (30 / 255 - 0.3) / 2, (60 / 255 - 0.3) / 2]
        for (got, want) in zip(rgb.floats(), expected) { #expect(abs(got - want) < 1e-5) }

        var bgrOptions = options
        bgrOptions["channel_order"] = .string("bgr")
        bgrOptions["layout"] = .string("nhwc")
        let bgr = try #require(try Builtin.processor("normalize", bgrOptions).process(Builtin.item(["image": .image(image)]))[0].tensorValue("tensor"))
        #expect(bgr.shape == [1, 1, 2, 3])
        // Channel 0 now holds blue (30, 60), normalised with channel 0's mean and std.
        #expect(abs(bgr.floats()[0] - (30 / 255 - 0.1) / 0.5) < 1e-5)
        #expect(abs(bgr.floats()[5] - (40 / 255 - 0.3) / 2) < 1e-5)
    }

    @Test("normalize rejects a zero std, the wrong number of means, and unknown options")
    func normalizeOptions() {
        #expect(Builtin.optionError("normalize", ["std": .list([.int(0)])])?.message.contains("'std'") == true)
        #expect(Builtin.optionError("normalize", ["mean": .list([.int(0), .int(1)])])?.message.contains("'mean'") == true)
        #expect(Builtin.optionError("normalize", ["meen": .list([.int(0)])])?.message.contains("unknown option") == true)
        #expect(Builtin.optionError("normalize", ["layout": .string("chw")])?.message.contains("nchw") == true)
    }
}
