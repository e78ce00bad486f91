import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

@Suite("Built-in region processors")
struct RegionProcessorTests {
    /// A [1, 1, h, w] probability map: 0.02 background, `value` inside each rectangle
    /// (x, y, width, height).
    static func probabilityMap(width: Int, height: Int, rectangles: [(Int, Int, Int, Int)], value: Float = 0.9) -> Tensor {
        var values = [Float](repeating: 0.02, count: width * height)
        for (x0, y0, w, h) in rectangles {
            for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { values[y * width + x] = value } }
        }
        return Tensor(shape: [1, 1, height, width], scalars: values)
    }

    @Test("db-postprocess fans out one item per text line, top to bottom, with its crop and quad")
    func fansOut() throws {
        let page = try Builtin.randomImage(width: 200, height: 120, seed: 31)
        let map = Self.probabilityMap(width: 200, height: 120, rectangles: [(20, 70, 120, 14), (30, 20, 150, 16)])
        let item = Builtin.item(["image": .image(page), "probability": .tensor(map), "tensor": .tensor(map), "path": .string("p.png")])
        let out = try Builtin.processor("db-postprocess").process(item)
        #expect(out.count == 2)
        #expect(out.map(\.region) == [0, 1])
        let first = try out[0].quad("quad").boundingBox, second = try out[1].quad("quad").boundingBox
        #expect(first.y1 < second.y1, "reading order: the upper line first")
        #expect(first.x1 < 30 && first.x2 > 180 - 1 && first.y1 < 20 && first.y2 > 36 - 1, "the unclipped box covers the line")
        for region in out {
            #expect(region["image"] == nil && region["probability"] == nil && region["tensor"] == nil)
            #expect(try region.string("path") == "p.png")
            #expect(region["rec_width"] != nil, "rapidocr's batch width for the line")
            let crop = try #require(region.imageValue("crop"))
            #expect(crop.width > crop.height)
        }
    }

    @Test("db-postprocess: no text, no items; fan_out false keeps one item with the regions")
    func emptyAndGrouped() throws {
        let page = try Builtin.randomImage(width: 64, height: 64, seed: 32)
        let blank = Self.probabilityMap(width: 64, height: 64, rectangles: [])
        #expect(try Builtin.processor("db-postprocess").process(Builtin.item(["image": .image(page), "probability": .tensor(blank)])).isEmpty)
        let map = Self.probabilityMap(width: 64, height: 64, rectangles: [(8, 8, 40, 10)])
        let grouped = try Builtin.processor("db-postprocess", ["fan_out": .bool(false)])
            .process(Builtin.item(["image": .image(page), "probability": .tensor(map)]))
        #expect(grouped.count == 1)
        #expect(try grouped[0].textRegions("regions").count == 1)
        let faint = Self.probabilityMap(width: 64, height: 64, rectangles: [(8, 8, 40, 10)], value: 0.4)
        #expect(try Builtin.processor("db-postprocess").process(Builtin.item(["image": .image(page), "probability": .tensor(faint)])).isEmpty,
                "mean score 0.4 is under box_threshold 0.5")
    }

    @Test("db-postprocess reports a wrongly shaped map as an error naming the stage")
    func wrongShape() throws {
        let page = try Builtin.randomImage(width: 8, height: 8, seed: 33)
        let item = Builtin.item(["image": .image(page), "probability": .tensor(Tensor(shape: [8, 8], scalars: [Float](repeating: 0.5, count: 64)))])
        let processor = try Builtin.processor("db-postprocess")
        let error = #expect(throws: PipelineError.self) { _ = try processor.process(item) }
        #expect(error?.message.contains("stage 'stage'") == true)
    }

    @Test("crop-regions crops detections with their label names, and text regions upright")
    func cropsDetections() throws {
        let page = try Builtin.randomImage(width: 50, height: 40, seed: 34)
        let detections = [Detection(box: Box(x1: 5, y1: 5, x2: 25, y2: 15), classIndex: 1, score: 0.8),
                          Detection(box: Box(x1: 10, y1: 20, x2: 40, y2: 38), classIndex: 7, score: 0.6)]
        let out = try Builtin.processor("crop-regions", ["input": .string("detections"), "labels": .list([.string("a"), .string("b")])])
            .process(Builtin.item(["image": .image(page), "detections": .detections(detections)]))
        #expect(out.count == 2)
        guard case .label(let name, let score)? = out[0]["label"] else { Issue.record("no label"); return }
        #expect(name == "b" && score == 0.8)
        guard case .label(let unnamed, _)? = out[1]["label"] else { Issue.record("no label"); return }
        #expect(unnamed == "7", "a class index without a name stays a number")
        let crop = try #require(out[0].imageValue("crop"))
        #expect(crop.width == 20 && crop.height == 10)
        #expect(out[0]["image"] == nil && out[0]["detections"] == nil)

        let regions = [TextRegion(quad: Quad(points: [Point(x: 2, y: 2), Point(x: 42, y: 2), Point(x: 42, y: 12), Point(x: 2, y: 12)]), score: 0.9)]
        let lines = try Builtin.processor("crop-regions").process(Builtin.item(["image": .image(page), "regions": .textRegions(regions)]))
        #expect(lines.count == 1 && lines[0].imageValue("crop")?.width == 40)
    }
}
