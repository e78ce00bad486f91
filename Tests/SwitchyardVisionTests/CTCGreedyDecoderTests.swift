import Foundation
import Testing
import SwitchyardTensor
@testable import SwitchyardVision

/// CTC greedy decoding: hand-made sequences with known text, and rapidocr's own decoder output on
/// the PP-OCRv4 recognizer's probabilities (fixtures from scripts/make-heldout.py).
@Suite struct CTCGreedyDecoderTests {
    /// Probabilities `[1, steps, classes]` whose argmax per step is `path`: the chosen class gets a
    /// random value in 0.5..<1, the others random values below 0.2.
    static func probabilities(path: [Int], classes: Int, generator: inout SplitMix64) -> (Tensor, kept: [Float]) {
        var values = [Float](repeating: 0, count: path.count * classes)
        var maxima: [Float] = []
        for (step, chosen) in path.enumerated() {
            for index in 0..<classes { values[step * classes + index] = Float.random(in: 0.01..<0.2, using: &generator) }
            let top = Float.random(in: 0.5..<1, using: &generator)
            values[step * classes + chosen] = top
            maxima.append(top)
        }
        return (Tensor(shape: [1, path.count, classes], scalars: values), maxima)
    }

    @Test func collapsesRepeatsDropsBlanksAndAveragesKeptMaxima() throws {
        var generator = SplitMix64(seed: 11)
        let decoder = CTCGreedyDecoder(characters: ["a", "b", "c"])  // classes: blank, a, b, c, " "
        #expect(decoder.classes == ["", "a", "b", "c", " "])
        let path = [1, 1, 0, 1, 2, 2, 4, 0, 0, 3]
        let (tensor, maxima) = Self.probabilities(path: path, classes: 5, generator: &generator)
        let result = try decoder.decode(tensor)
        #expect(result.count == 1)
        #expect(result[0].text == "aab c")
        let kept = [0, 3, 4, 6, 9].map { maxima[$0] }
        #expect(abs(result[0].confidence - kept.reduce(0, +) / Float(kept.count)) < 1e-6)
    }

    @Test func decodesEachBatchItemAndGivesZeroConfidenceToBlankLines() throws {
        var generator = SplitMix64(seed: 12)
        let decoder = CTCGreedyDecoder(characters: ["x", "y"], useSpaceCharacter: false)
        let (first, _) = Self.probabilities(path: [0, 0, 0, 0], classes: 3, generator: &generator)
        let (second, _) = Self.probabilities(path: [2, 0, 2, 1], classes: 3, generator: &generator)
        let batch = Tensor(shape: [2, 4, 3], scalars: first.floats() + second.floats())
        let result = try decoder.decode(batch)
        #expect(result.map(\.text) == ["", "yyx"])
        #expect(result[0].confidence == 0)
        #expect(result[1].confidence > 0.5)
    }

    @Test func rejectsWrongShapesTypesAndClassCounts() {
        let decoder = CTCGreedyDecoder(characters: ["a"])
        #expect(throws: VisionError.self) { try decoder.decode(Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))) }
        #expect(throws: VisionError.self) { try decoder.decode(Tensor(shape: [1, 2, 3], scalars: [Double](repeating: 1, count: 6))) }
        do {
            _ = try decoder.decode(Tensor(shape: [1, 2, 4], scalars: [Float](repeating: 1, count: 8)))
            Issue.record("a class-count mismatch decoded")
        } catch {
            #expect("\(error)".contains("4 classes"))
            #expect("\(error)".contains("gives 3"))
        }
    }

    @Test func readsTheDictionaryFromMetadataLikePythonSplitlines() throws {
        let decoder = try CTCGreedyDecoder(modelMetadata: ["character": "a\r\nb\rc\nd\u{2028}e\n"])
        #expect(decoder.classes == ["", "a", "b", "c", "d", "e", " "])
        #expect(throws: VisionError.self) { try CTCGreedyDecoder(modelMetadata: ["names": "x"]) }
    }

    @Test func readsADictionaryFileLikeRapidocr() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ctc-keys-\(UInt64.random(in: 1...UInt64.max)).txt").path
        try Data("a\r\n \nb\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try CTCGreedyDecoder(dictionaryFile: path).classes == ["", "a", " ", "b", " "])
        #expect(throws: VisionError.self) { try CTCGreedyDecoder(dictionaryFile: path + ".missing") }
    }

    static let fixtures: String = {  // Tests/SwitchyardVisionTests/CTCGreedyDecoderTests.swift
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/.cache/heldout/ctc"
    }()

    struct Expected: Decodable {
        var text: String
        var confidence: Double
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: fixtures + "/real.json"),
                   "run scripts/make-heldout.py to make the CTC fixtures"),
          arguments: ["real", "synthetic"])
    func matchesRapidocrCTCLabelDecode(_ name: String) throws {
        let dictionary = try String(contentsOfFile: Self.fixtures + "/character.txt", encoding: .utf8)
        let decoder = try CTCGreedyDecoder(modelMetadata: ["character": dictionary])
        let probabilities = try Tensor(npyFile: Self.fixtures + "/\(name).npy")
        let expected = try JSONDecoder().decode([Expected].self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/\(name).json")))
        let decoded = try decoder.decode(probabilities)
        #expect(decoded.count == expected.count)
        #expect(expected.contains { !$0.text.isEmpty })
        for (ours, theirs) in zip(decoded, expected) {
            #expect(ours.text == theirs.text)
            #expect(abs(Double(ours.confidence) - theirs.confidence) < 1e-5)
        }
    }
}
