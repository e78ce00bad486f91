import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

@Suite("decode-image min_size: JPEGs decoded at a reduced scale, positions in original pixels")
struct ScaledDecodeProcessorTests {
    /// The bright rectangle in `frame()`, in its pixels.
    static let rectangle = Box(x1: 301, y1: 151, x2: 701, y2: 451)

    /// A 1001×601 JPEG (odd sizes: the scaled decode rounds up): grey with a bright rectangle.
    static func frame() throws -> [UInt8] {
        var pixels = [UInt8](repeating: 70, count: 1001 * 601 * 3)
        for y in Int(rectangle.y1)..<Int(rectangle.y2) {
            for x in Int(rectangle.x1)..<Int(rectangle.x2) {
                for c in 0..<3 { pixels[(y * 1001 + x) * 3 + c] = 230 }
            }
        }
        return try ImageCodec.encodeJPEG(try Image(width: 1001, height: 601, channels: 3, pixels: pixels), quality: 92)
    }

    /// `bytes` (default: the frame) through decode-image with `options`.
    static func decoded(_ options: [String: OptionValue], bytes: [UInt8]? = nil) throws -> PipelineItem {
        try Builtin.processor("decode-image", options).process(Builtin.item(["bytes": .bytes(try bytes ?? frame())]))[0]
    }

    /// The frame through decode-image (with `options`) and a 320×320 letterbox.
    static func letterboxed(_ options: [String: OptionValue]) throws -> PipelineItem {
        try Builtin.processor("letterbox", ["width": .int(320), "height": .int(320)]).process(try decoded(options))[0]
    }

    /// The image decode-image made and the scale beside it, expected to be `numerator`/8 of the frame.
    static func expectScale(_ item: PipelineItem, eighths numerator: Int, width: Int, height: Int,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let image = try #require(item.imageValue("image"), sourceLocation: sourceLocation)
        #expect(image.width == width && image.height == height, sourceLocation: sourceLocation)
        #expect(try item.decodeScale(of: "image") == DecodeScale(numerator: numerator, denominator: 8, originalWidth: 1001, originalHeight: 601),
                sourceLocation: sourceLocation)
    }

    /// yolo-decode on a one-anchor YOLOv8 head holding `box` (letterboxed pixels) at score 0.9.
    static func detect(_ box: Box, in item: PipelineItem) throws -> Box {
        let head = Tensor(shape: [1, 5, 1], scalars: [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, box.width, box.height, 0.9])
        var item = item
        item["output0"] = .tensor(head)
        let detections = try Builtin.processor("yolo-decode").process(item)[0].detections("detections")
        return try #require(detections.first).box
    }

    /// The bright rectangle's extent in the letterboxed image (pixels above mid-grey through its centre).
    static func brightExtent(_ image: Image) -> Box {
        func bright(_ x: Int, _ y: Int) -> Bool { image.pixels[(y * image.width + x) * 3] > 150 }
        let row = image.height / 2, column = image.width / 2
        let xs = (0..<image.width).filter { bright($0, row) }, ys = (0..<image.height).filter { bright(column, $0) }
        return Box(x1: Float(xs.first ?? 0), y1: Float(ys.first ?? 0), x2: Float((xs.last ?? 0) + 1), y2: Float((ys.last ?? 0) + 1))
    }

    static func maxDistance(_ a: Box, _ b: Box) -> Float {
        max(abs(a.x1 - b.x1), abs(a.y1 - b.y1), abs(a.x2 - b.x2), abs(a.y2 - b.y2))
    }

    @Test("min_size picks the smallest scale that keeps the size and stores it beside the image")
    func decodesScaled() throws {
        // 1/2 would be 501×301, too short; 5/8 is ceil(625.6)×ceil(375.6).
        try Self.expectScale(try Self.decoded(["min_size": .list([.int(320), .int(320)])]), eighths: 5, width: 626, height: 376)
        let full = try Self.decoded([:])
        #expect(full.imageValue("image")?.width == 1001 && full["image_scale"] == nil)
        let png = try ImageCodec.encodePNG(try Builtin.randomImage(width: 640, height: 480, seed: 5))
        let pngItem = try Self.decoded(["min_size": .list([.int(64), .int(64)])], bytes: png)
        let pngScale = try pngItem.decodeScale(of: "image")
        #expect(pngItem.imageValue("image")?.width == 640 && pngScale?.isUnscaled == true)
    }

    /// The 1001×601 frame in a 320×320 letterbox uses 320×193: `fit_size` decodes at 3/8
    /// (376×226), where `min_size` needs 5/8. Boxes still land in original pixels.
    @Test("fit_size keeps only the letterbox's limiting side")
    func fitSizeDecodesSmaller() throws {
        try Self.expectScale(try Self.decoded(["fit_size": .list([.int(320), .int(320)])]), eighths: 3, width: 376, height: 226)
        let full = try Self.letterboxed([:]), scaled = try Self.letterboxed(["fit_size": .list([.int(320), .int(320)])])
        let head = Box(x1: 37.5, y1: 80, x2: 290, y2: 231.25)
        #expect(Self.maxDistance(try Self.detect(head, in: full), try Self.detect(head, in: scaled)) <= 2)
        #expect(Builtin.optionError("decode-image", ["fit_size": .list([.int(320), .int(320)]),
                                                     "min_size": .list([.int(320), .int(320)])])?.message.contains("one of them") == true)
    }

    @Test("min_size must be two whole pixel counts")
    func rejectsBadSizes() {
        for bad: OptionValue in [.list([.int(320)]), .list([.int(0), .int(10)]), .list([.double(1.5), .int(2)]), .string("320")] {
            let message = Builtin.optionError("decode-image", ["min_size": bad])?.message ?? ""
            #expect(message.contains("min_size"), "\(bad)")
        }
    }

    @Test("yolo-decode maps boxes through the letterbox and the decode scale to original pixels")
    func boxesLandInOriginalPixels() throws {
        let full = try Self.letterboxed([:])
        let scaled = try Self.letterboxed(["min_size": .list([.int(320), .int(320)])])
        // The same head on both: the two letterboxes show the same original region, so the same box.
        let head = Box(x1: 37.5, y1: 80, x2: 290, y2: 231.25)
        let fromFull = try Self.detect(head, in: full), fromScaled = try Self.detect(head, in: scaled)
        #expect(Self.maxDistance(fromFull, fromScaled) < 2, "full \(fromFull), scaled \(fromScaled)")
        // And what the pixels show: the rectangle found in each letterboxed image comes back at its
        // place in the original, within about a letterbox pixel (1001 / 320 ≈ 3.1 original pixels).
        for item in [full, scaled] {
            let found = try Self.detect(Self.brightExtent(try #require(item.imageValue("letterboxed"))), in: item)
            #expect(Self.maxDistance(found, Self.rectangle) < 4.5, "found \(found), drawn at \(Self.rectangle)")
        }
    }

    @Test("crop-regions crops a box in original pixels from the scaled image")
    func cropsScaled() throws {
        let scaled = try Builtin.processor("decode-image", ["min_size": .list([.int(320), .int(320)])])
            .process(Builtin.item(["bytes": .bytes(try Self.frame())]))[0]
        var item = scaled
        item["detections"] = .detections([Detection(box: Self.rectangle, classIndex: 0, score: 0.9)])
        let crops = try Builtin.processor("crop-regions", ["input": .string("detections")]).process(item)
        #expect(crops.count == 1)
        #expect(try crops[0].box("box") == Self.rectangle, "the box stays in original pixels")
        let crop = try #require(crops[0].imageValue("crop"))
        // 400×300 original pixels at 5/8: 250×187.5.
        #expect(crop.width == 250 && (187...188).contains(crop.height))
        let mean = Double(crop.pixels.reduce(0) { $0 + Int($1) }) / Double(crop.pixels.count)
        #expect(mean > 200, "the crop should be the bright rectangle, mean \(mean)")
    }

    @Test("db-postprocess reports quads in original pixels and crops the scaled image")
    func textRegionsInOriginalPixels() throws {
        // The page as a 1/2 decode of a 400×240 original: the same quads, doubled, and the same crops.
        let page = try Builtin.randomImage(width: 200, height: 120, seed: 31)
        let map = RegionProcessorTests.probabilityMap(width: 200, height: 120, rectangles: [(20, 70, 120, 14), (30, 20, 150, 16)])
        let plain = Builtin.item(["image": .image(page), "probability": .tensor(map)])
        var scaled = plain
        scaled["image_scale"] = .decodeScale(DecodeScale(numerator: 1, denominator: 2, originalWidth: 400, originalHeight: 240))
        let processor = try Builtin.processor("db-postprocess")
        let unscaledLines = try processor.process(plain), scaledLines = try processor.process(scaled)
        #expect(unscaledLines.count == 2 && scaledLines.count == 2)
        for (unscaled, scaled) in zip(unscaledLines, scaledLines) {
            let expected = try unscaled.quad("quad").points.map { Point(x: $0.x * 2, y: $0.y * 2) }
            #expect(try scaled.quad("quad").points == expected)
            #expect(scaled.imageValue("crop") == unscaled.imageValue("crop"))
        }
    }
}
