import Testing
import SwitchyardTensor
@testable import SwitchyardQuantization

@Suite struct DetectionAgreementTests {
    /// A YOLOv8 head [1, 4 + 2 classes, anchors] holding the given (cx, cy, w, h, class, score) rows.
    static func head(_ boxes: [(Float, Float, Float, Float, Int, Float)], anchors: Int = 6) -> Tensor {
        var values = [Float](repeating: 0, count: 6 * anchors)
        for (anchor, box) in boxes.enumerated() {
            for (row, value) in [box.0, box.1, box.2, box.3].enumerated() { values[row * anchors + anchor] = value }
            values[(4 + box.4) * anchors + anchor] = box.5
        }
        return Tensor(shape: [1, 6, anchors], scalars: values)
    }

    @Test func yoloBoxesMatchByClassAtHalfOverlap() throws {
        let reference = Self.head([(50, 50, 20, 20, 0, 0.9), (150, 150, 40, 40, 1, 0.8), (250, 60, 30, 30, 0, 0.7)])
        // Box 1 moved a little (IoU > 0.5), box 2 under the wrong class, box 3 gone, one extra box.
        let candidate = Self.head([(52, 51, 20, 20, 0, 0.85), (150, 150, 40, 40, 0, 0.8), (60, 250, 10, 10, 1, 0.6)])
        let agreement = try DetectionAgreement.yolo(candidate, reference: reference, sampleName: "s")
        #expect(agreement.hits == 2 && agreement.total == 6)
        #expect(abs(agreement.f1 - 100.0 / 3) < 1e-9)
        let same = try DetectionAgreement.yolo(reference, reference: reference, sampleName: "s")
        #expect(same.f1 == 100 && same.total == 6)
        // Nothing found by either: full agreement.
        let empty = Self.head([])
        #expect(try DetectionAgreement.yolo(empty, reference: empty, sampleName: "s").f1 == 100)
    }

    @Test func maskF1CountsPixelsAboveTheThreshold() throws {
        let reference = Tensor(shape: [1, 1, 2, 4], scalars: [Float](arrayLiteral: 0.9, 0.8, 0.1, 0.0, 0.7, 0.2, 0.31, 0.5))
        let candidate = Tensor(shape: [1, 1, 2, 4], scalars: [Float](arrayLiteral: 0.9, 0.2, 0.6, 0.0, 0.7, 0.2, 0.29, 0.5))
        let agreement = try DetectionAgreement.mask(candidate, reference: reference, sampleName: "s")
        // Reference above 0.3: 5 pixels; candidate: 4; both: 3.
        #expect(agreement.hits == 6 && agreement.total == 9)
        #expect(throws: QuantizationError.self) {
            try DetectionAgreement.mask(candidate, reference: Tensor(shape: [1, 8], scalars: [Float](repeating: 0, count: 8)), sampleName: "s")
        }
    }

    /// A DB probability map [1, 1, 60, 120]: 0.9 inside each (x, y, width, height) rectangle, 0.05 elsewhere.
    static func probabilityMap(_ rectangles: [(Int, Int, Int, Int)]) -> Tensor {
        var values = [Float](repeating: 0.05, count: 60 * 120)
        for (x, y, width, height) in rectangles {
            for row in y..<(y + height) { for column in x..<(x + width) { values[row * 120 + column] = 0.9 } }
        }
        return Tensor(shape: [1, 1, 60, 120], scalars: values)
    }

    @Test func textBoxesMatchAtHalfOverlap() throws {
        let reference = Self.probabilityMap([(10, 10, 40, 8), (10, 30, 60, 10), (80, 45, 30, 8)])
        // Line 1 a pixel wider (same box), line 2 cut to a third (IoU < 0.5), line 3 gone, one extra line.
        let candidate = Self.probabilityMap([(10, 10, 41, 8), (10, 30, 20, 10), (70, 10, 40, 6)])
        let agreement = try DetectionAgreement.textBoxes(candidate, reference: reference, sampleName: "s")
        #expect(agreement.hits == 2 && agreement.total == 6)
        #expect(try DetectionAgreement.textBoxes(reference, reference: reference, sampleName: "s").f1 == 100)
        // Edge pixels crossing the threshold move mask-f1 but not the boxes.
        let thinner = Self.probabilityMap([(11, 10, 38, 8), (10, 31, 60, 9), (80, 45, 30, 7)])
        #expect(try DetectionAgreement.textBoxes(thinner, reference: reference, sampleName: "s").f1 == 100)
        #expect(abs(try DetectionAgreement.mask(thinner, reference: reference, sampleName: "s").f1 - 100.0 * 2108 / 2214) < 1e-9)
        #expect(throws: QuantizationError.self) {
            try DetectionAgreement.textBoxes(candidate, reference: Tensor(shape: [1, 60, 120], scalars: [Float](repeating: 0, count: 7200)), sampleName: "s")
        }
    }

    @Test func pooledScoresAverageOverTheSetNotPerSample() {
        var total = ScoreTotal()
        total.add(SampleScore(value: 100, pooled: (hits: 2, total: 2)))
        total.add(SampleScore(value: 0, pooled: (hits: 0, total: 8)))
        #expect(total.mean == 20)
    }
}
