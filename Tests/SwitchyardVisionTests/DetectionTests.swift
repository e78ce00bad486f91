import Testing
import SwitchyardTensor
import SwitchyardVision

@Suite struct NonMaxSuppressionTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func matchesTheNumPyReference() throws {
        let section = try #require(try VisionFixtures.section("nms") as? [String: Any])
        let boxes = try #require(section["boxes"] as? [[Double]])
        let scores = try #require(section["scores"] as? [Double])
        let classes = try #require(section["classes"] as? [Int])
        let detections = boxes.indices.map { i in
            Detection(box: Box(x1: Float(boxes[i][0]), y1: Float(boxes[i][1]), x2: Float(boxes[i][2]), y2: Float(boxes[i][3])),
                      classIndex: classes[i], score: Float(scores[i]))
        }
        for entry in try #require(section["cases"] as? [[String: Any]]) {
            let keep = try #require(entry["keep"] as? [Int])
            let selected = NonMaxSuppression.select(
                detections, iouThreshold: Float(try #require(entry["iouThreshold"] as? Double)),
                classAware: try #require(entry["classAware"] as? Bool), maxCount: try #require(entry["maxCount"] as? Int))
            #expect(selected == keep.map { detections[$0] }, "\(entry)")
        }
    }

    @Test func suppressesOverlapsOfTheSameClassOnly() {
        let a = Detection(box: Box(x1: 0, y1: 0, x2: 10, y2: 10), classIndex: 0, score: 0.9)
        let b = Detection(box: Box(x1: 1, y1: 1, x2: 11, y2: 11), classIndex: 0, score: 0.8)
        let c = Detection(box: Box(x1: 1, y1: 0, x2: 11, y2: 10), classIndex: 1, score: 0.7)
        #expect(NonMaxSuppression.select([b, c, a], iouThreshold: 0.5) == [a, c])
        #expect(NonMaxSuppression.select([b, c, a], iouThreshold: 0.5, classAware: false) == [a])
        #expect(NonMaxSuppression.select([b, c, a], iouThreshold: 0.5, maxCount: 1) == [a])
        #expect(abs(a.box.iou(b.box) - 81 / 119) < 1e-6 && a.box.area == 100)
    }
}

@Suite struct YOLOv8DecoderTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func matchesTheNumPyReference() throws {
        let section = try #require(try VisionFixtures.section("yolo") as? [String: Any])
        let output = try VisionFixtures.tensor(try #require(section["output"] as? String))
        let expected = try #require(section["detections"] as? [[[String: Any]]])
        let decoded = try YOLOv8Decoder().decode(output)
        try #require(decoded.count == expected.count)
        for (got, want) in zip(decoded, expected) {
            try #require(got.count == want.count)
            for (detection, reference) in zip(got, want) {
                let box = try #require(reference["box"] as? [Double])
                #expect(detection.classIndex == reference["classIndex"] as? Int)
                #expect(abs(Double(detection.score) - (reference["score"] as? Double ?? -1)) < 1e-6)
                let corners = [detection.box.x1, detection.box.y1, detection.box.x2, detection.box.y2]
                #expect(zip(corners, box).allSatisfy { abs(Double($0) - $1) < 1e-3 })
            }
        }
    }

    @Test func decodesOneAnchorPerObjectAndRejectsBadShapes() throws {
        // 2 classes, 3 anchors: anchor 0 is class 1 at 0.9, anchor 1 below threshold, anchor 2 class 0 at 0.6.
        let values: [Float] = [
            50, 10, 200,  // cx
            40, 10, 100,  // cy
            20, 4, 30,    // w
            10, 4, 40,    // h
            0.1, 0.2, 0.6,  // class 0
            0.9, 0.1, 0.3,  // class 1
        ]
        let detections = try YOLOv8Decoder().decode(Tensor(shape: [1, 6, 3], scalars: values))
        #expect(detections == [[
            Detection(box: Box(x1: 40, y1: 35, x2: 60, y2: 45), classIndex: 1, score: 0.9),
            Detection(box: Box(x1: 185, y1: 80, x2: 215, y2: 120), classIndex: 0, score: 0.6),
        ]])
        #expect(throws: VisionError.self) { try YOLOv8Decoder().decode(Tensor(shape: [1, 4, 3], scalars: [Float](repeating: 1, count: 12))) }
        #expect(throws: VisionError.self) { try YOLOv8Decoder().decode(Tensor(shape: [1, 6, 3], scalars: [Int64](repeating: 1, count: 18))) }
    }
}

@Suite struct TopKTests {
    @Test func highestFirstTiesByIndex() {
        let picked = TopK.select([0.1, 0.7, 0.3, 0.7, .nan, 0.9], k: 3)
        #expect(picked.map(\.index) == [5, 1, 3] && picked.map(\.score) == [0.9, 0.7, 0.7])
        #expect(TopK.select([0.5, 0.2], k: 5).map(\.index) == [0, 1])
        #expect(TopK.select([0.5], k: 0).isEmpty)
    }
}
