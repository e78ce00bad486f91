import Foundation
import Testing
import Synchronization
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor
@testable import SwitchyardEngine

/// A batch cut into one piece per thread (`BatchSplitRun`) must give the unsplit run's outputs,
/// and only models that keep their items apart may be cut (`BatchSeparability`).
@Suite("Batch split runs")
struct BatchSplitTests {
    static let realModels: [(file: String, input: String, item: [Int])] = [
        ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "x", [3, 48, 192]),
        ("ch_PP-OCRv4_rec_infer.onnx", "x", [3, 48, 160]),
        ("ch_PP-OCRv4_det_infer.onnx", "x", [3, 96, 96]),
        ("yolov8n-320.onnx", "images", [3, 320, 320]),
    ]

    @Test("the example models keep the items of a batch apart", arguments: realModels.map(\.file))
    func realModelsAreSeparable(_ file: String) throws {
        let path = TestPaths.model(file)
        try #require(FileManager.default.fileExists(atPath: path), "missing \(path): run scripts/setup.sh")
        let model = try LoadedModel(contentsOf: path)
        #expect(model.batchSeparability == .separable)
    }

    @Test("a split run of an example model equals the unsplit run", arguments: realModels.indices)
    func realModelSplitMatches(_ index: Int) throws {
        let (file, input, item) = Self.realModels[index]
        let path = TestPaths.model(file)
        try #require(FileManager.default.fileExists(atPath: path), "missing \(path): run scripts/setup.sh")
        let model = try LoadedModel(contentsOf: path)
        var generator = SeededGenerator(seed: UInt64.random(in: 1...UInt64.max))
        let batch = Tensor(shape: [3] + item, scalars: (0..<(3 * item.reduce(1, *))).map { _ in Float.random(in: -1...1, using: &generator) })
        let whole = try Session(model: model, options: SessionOptions(threads: 1)).run([input: batch])
        let split = try Session(model: model, options: SessionOptions(threads: 2, adaptsThreads: false)).run([input: batch])
        for (name, expected) in whole {
            let got = try #require(split[name])
            #expect(got.shape == expected.shape)
            let error = ModelErrors.normalizedMax(got.floats(), expected.floats())
            #expect(error <= 1e-4, "\(file) output \(name): normalized error \(error) (seed \(generator.seed))")
        }
    }

    @Test("pieces of a batch share its bytes where they start aligned, and writing one copies it first")
    func piecesShareTheBatch() throws {
        let values = (0..<64).map { Float($0) + 0.5 }
        let batch = Tensor(shape: [4, 16], scalars: values)  // 64-byte rows
        let pieces = try #require(batch.splittingRows([1, 3]))
        #expect(pieces[1].storage.bytes == batch.storage.bytes + 64)
        #expect(pieces[1].floats() == Array(values[16...]))

        var written = pieces[1]
        written.withUnsafeMutableBufferPointer(of: Float.self) { $0[0] = -1 }
        #expect(written.floats()[0] == -1)
        #expect(batch.floats() == values, "writing a piece changed the batch")
        #expect(written.storage.bytes != batch.storage.bytes + 64)

        let narrow = Tensor(shape: [3, 3], scalars: (0..<9).map(Float.init))  // 12-byte rows
        let cut = try #require(narrow.splittingRows([1, 2]))
        #expect(cut[0].storage.bytes == narrow.storage.bytes)
        #expect(cut[1].storage.bytes != narrow.storage.bytes + 12, "a misaligned piece is a copy")
        #expect(cut.map { $0.floats() } == [[0, 1, 2], [3, 4, 5, 6, 7, 8]])
    }

    @Test("pieces are as even as possible and never more than the items")
    func pieceSizes() {
        #expect(BatchSplitRun.pieces(batch: 8, threads: 2) == [4, 4])
        #expect(BatchSplitRun.pieces(batch: 7, threads: 3) == [3, 2, 2])
        #expect(BatchSplitRun.pieces(batch: 1, threads: 4) == [1])
        #expect(BatchSplitRun.pieces(batch: 2, threads: 8) == [1, 1])
    }

    @Test("a split run of a separable graph equals the unsplit run, for uneven pieces too", arguments: [2, 3, 4])
    func syntheticSplitMatches(threads: Int) throws {
        let graph = BatchSeparabilityTests.convolutionHead()
        let model = try LoadedModel(model: Model(graph: graph))
        #expect(model.batchSeparability == .separable)
        var generator = SeededGenerator(seed: 211)
        let x = generator.tensor([5, 3, 8, 8])
        let whole = try Session(model: model, options: SessionOptions(threads: 1)).run(["x": x])["y"]!
        let split = try Session(model: model, options: SessionOptions(threads: threads, adaptsThreads: false)).run(["x": x])["y"]!
        #expect(split.shape == [5, 4])
        #expect(ModelErrors.normalizedMax(split.floats(), whole.floats()) <= 1e-6)
    }

    @Test("concurrent runs of one session share its helper threads safely")
    func concurrentRuns() throws {
        let model = try LoadedModel(model: Model(graph: BatchSeparabilityTests.convolutionHead()))
        let session = try Session(model: model, options: SessionOptions(threads: 2))
        var generator = SeededGenerator(seed: 307)
        let inputs = (0..<6).map { _ in generator.tensor([4, 3, 8, 8]) }
        let expected = try inputs.map { try Session(model: model, options: SessionOptions(threads: 2)).run(["x": $0])["y"]!.floats() }
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            results.store(index, Result { try session.run(["x": inputs[index]])["y"]!.floats() })
        }
        for index in inputs.indices {
            #expect(ModelErrors.normalizedMax(try results.value(index), expected[index]) <= 1e-6)
        }
    }

    @Test("splittingRows refuses a tensor whose first dimension is not the pieces' sum")
    func splittingRowsChecksTheTotal() {
        let tensor = Tensor(shape: [3, 2], scalars: [Float](repeating: 1.5, count: 6))
        #expect(tensor.splittingRows([2, 2]) == nil)
        #expect(tensor.splittingRows([1, 2])?.map(\.shape) == [[1, 2], [2, 2]])
    }
}

/// Results written from several threads.
private final class ConcurrentResults: Sendable {
    private let results = Mutex<[Int: Result<[Float], any Error>]>([:])
    func store(_ index: Int, _ result: Result<[Float], any Error>) { results.withLock { $0[index] = result } }
    func value(_ index: Int) throws -> [Float] { try results.withLock { $0[index]! }.get() }
}
