import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

@Suite struct NonMaxSuppressionTests {
    typealias Support = NeuralNetworkTestSupport

    /// The six boxes of ONNX's NonMaxSuppression examples: three overlapping near y = 0, two near
    /// y = 10 and one far away, as `[y1, x1, y2, x2]`.
    static let cornerBoxes: [Float] = [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101]
    static let scores: [Float] = [0.9, 0.75, 0.6, 0.95, 0.5, 0.3]

    static func run(
        boxes: [Float], boxShape: [Int], scores: [Float], scoreShape: [Int], maxPerClass: Int64?, iou: Float?,
        scoreThreshold: Float?, centerPointBox: Int = 0
    ) throws -> [[Int64]] {
        let result = try Support.run("NonMaxSuppression", opset: 11, inputs: [
            Tensor(shape: boxShape, scalars: boxes), Tensor(shape: scoreShape, scalars: scores),
            maxPerClass.map { Tensor(shape: [1], scalars: [$0]) }, iou.map { Tensor(shape: [1], scalars: [$0]) },
            scoreThreshold.map { Tensor(shape: [1], scalars: [$0]) },
        ], attributes: ["center_point_box": .int(centerPointBox)])[0]
        #expect(result.dataType == .int64 && result.rank == 2 && result.shape[1] == 3)
        let flat = result.scalars(as: Int64.self)
        return stride(from: 0, to: flat.count, by: 3).map { Array(flat[$0..<($0 + 3)]) }
    }

    @Test func onnxExamples() throws {
        let shape = [1, 6, 4], scoreShape = [1, 1, 6]
        #expect(try Self.run(boxes: Self.cornerBoxes, boxShape: shape, scores: Self.scores, scoreShape: scoreShape,
                             maxPerClass: 3, iou: 0.5, scoreThreshold: 0) == [[0, 0, 3], [0, 0, 0], [0, 0, 5]])
        #expect(try Self.run(boxes: Self.cornerBoxes, boxShape: shape, scores: Self.scores, scoreShape: scoreShape,
                             maxPerClass: 3, iou: 0.5, scoreThreshold: 0.4) == [[0, 0, 3], [0, 0, 0]])
        #expect(try Self.run(boxes: Self.cornerBoxes, boxShape: shape, scores: Self.scores, scoreShape: scoreShape,
                             maxPerClass: 2, iou: 0.5, scoreThreshold: 0) == [[0, 0, 3], [0, 0, 0]])
        // Flipped corners describe the same boxes.
        let flipped: [Float] = [1, 1, 0, 0, 0, 0.1, 1, 1.1, 0, 0.9, 1, -0.1, 0, 10, 1, 11, 1, 10.1, 0, 11.1, 1, 101, 0, 100]
        #expect(try Self.run(boxes: flipped, boxShape: shape, scores: Self.scores, scoreShape: scoreShape,
                             maxPerClass: 3, iou: 0.5, scoreThreshold: 0) == [[0, 0, 3], [0, 0, 0], [0, 0, 5]])
        let centers: [Float] = [0.5, 0.5, 1, 1, 0.5, 0.6, 1, 1, 0.5, 0.4, 1, 1, 0.5, 10.5, 1, 1, 0.5, 10.6, 1, 1, 0.5, 100.5, 1, 1]
        #expect(try Self.run(boxes: centers, boxShape: shape, scores: Self.scores, scoreShape: scoreShape,
                             maxPerClass: 3, iou: 0.5, scoreThreshold: 0, centerPointBox: 1) == [[0, 0, 3], [0, 0, 0], [0, 0, 5]])
        // Without max_output_boxes_per_class nothing is selected.
        #expect(try Self.run(boxes: Self.cornerBoxes, boxShape: shape, scores: Self.scores, scoreShape: scoreShape,
                             maxPerClass: nil, iou: nil, scoreThreshold: nil) == [])
    }

    /// Independent greedy NMS over random boxes, two batches and three classes.
    @Test func randomBoxesMatchGreedyReference() throws {
        var random = NeuralNetworkTestRandom(seed: 300)
        let (batches, classes, count) = (2, 3, 40)
        var boxes: [Float] = []
        for _ in 0..<(batches * count) {
            let y = Float.random(in: 0...10, using: &random), x = Float.random(in: 0...10, using: &random)
            boxes += [y, x, y + Float.random(in: 0.5...4, using: &random), x + Float.random(in: 0.5...4, using: &random)]
        }
        // Repeated scores exercise the tie rule (lower box index first).
        let scores = (0..<(batches * classes * count)).map { _ in Float(Int.random(in: 0...20, using: &random)) / 20 }
        func iou(_ a: Int, _ b: Int) -> Float {
            let p = Array(boxes[(a * 4)..<(a * 4 + 4)]), q = Array(boxes[(b * 4)..<(b * 4 + 4)])
            let h = min(p[2], q[2]) - max(p[0], q[0]), w = min(p[3], q[3]) - max(p[1], q[1])
            if h <= 0 || w <= 0 { return 0 }
            let intersection = h * w
            return intersection / ((p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - intersection)
        }
        var expected: [[Int64]] = []
        for batch in 0..<batches {
            for classIndex in 0..<classes {
                let classScores = (0..<count).map { scores[(batch * classes + classIndex) * count + $0] }
                let order = (0..<count).filter { classScores[$0] > 0.3 }.sorted { (-classScores[$0], $0) < (-classScores[$1], $1) }
                var kept: [Int] = []
                for box in order where kept.count < 5 {
                    if kept.allSatisfy({ iou(batch * count + box, batch * count + $0) <= 0.4 }) { kept.append(box) }
                }
                expected += kept.map { [Int64(batch), Int64(classIndex), Int64($0)] }
            }
        }
        let actual = try Self.run(boxes: boxes, boxShape: [batches, count, 4], scores: scores, scoreShape: [batches, classes, count],
                                  maxPerClass: 5, iou: 0.4, scoreThreshold: 0.3)
        #expect(actual == expected)
        #expect(!expected.isEmpty)
    }

    @Test func badShapesThrow() {
        Support.expectKernelError {
            _ = try Self.run(boxes: Self.cornerBoxes, boxShape: [1, 6, 4], scores: Self.scores, scoreShape: [1, 1, 6],
                             maxPerClass: 3, iou: 0.5, scoreThreshold: 0, centerPointBox: 2)
        }
        Support.expectKernelError {
            _ = try Support.run("NonMaxSuppression", inputs: [Tensor(zeros: .float32, shape: [1, 6, 4]), Tensor(zeros: .float32, shape: [1, 1, 5])])
        }
        Support.expectKernelError {
            _ = try Support.run("NonMaxSuppression", inputs: [Tensor(zeros: .float32, shape: [1, 6, 3]), Tensor(zeros: .float32, shape: [1, 1, 6])])
        }
    }
}
