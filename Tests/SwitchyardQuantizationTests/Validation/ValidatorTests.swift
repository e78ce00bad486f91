import Foundation
import Synchronization
import Testing
import SwitchyardTensor
@testable import SwitchyardQuantization

/// `Validator.validate` on tiny models built in code, with seeded random samples.
@Suite struct ValidatorTests {
    @Test func aModelAgainstItselfHasNoDropAndNoError() throws {
        let fixture = try ValidationFixture(seed: 21)
        defer { fixture.remove() }
        let model = try fixture.write(fixture.reference(), as: "fp32.onnx")
        let data = try fixture.writeSamples(12, seed: 22)
        let report = try Validator.validate(reference: model, candidate: model, dataDirectory: data,
                                            options: ValidationOptions(metric: .agreement, maxDrop: 0))
        #expect(report.samples == 12)
        #expect(report.reference.metric == 100 && report.candidate.metric == 100)
        #expect(report.drop == 0 && report.passed)
        #expect(report.outputs == [OutputError(name: "y", maxAbsoluteError: 0, meanAbsoluteError: 0)])
        #expect(report.reference.fileBytes > 8 * 16 * 4)
        #expect(report.reference.weightBytes == (8 * 16 + 16 * 4) * 4)
        #expect(report.reference.residentBytes
                == report.reference.weightBytes + report.reference.packedWeightBytes + report.reference.arenaBytes)
        #expect(report.reference.medianLatencyMilliseconds > 0)
    }

    @Test func aQDQCandidateStaysWithinAFewQuantizationSteps() throws {
        let fixture = try ValidationFixture(seed: 31)
        defer { fixture.remove() }
        let reference = try fixture.write(fixture.reference(), as: "fp32.onnx")
        let candidate = try fixture.write(fixture.quantized(reluScale: 4.0 / 127), as: "int8.onnx")
        let data = try fixture.writeSamples(16, seed: 32)
        let cosine = try Validator.validate(reference: reference, candidate: candidate, dataDirectory: data,
                                            options: ValidationOptions(metric: .cosine))
        #expect(cosine.reference.metric > 0.999999)
        #expect(cosine.candidate.metric > 0.99 && cosine.candidate.metric < 1)
        let error = try #require(cosine.outputs.first)
        // A few quantization steps of the output: |y| is at most ~16, steps are ~4/127 and ~1/127.
        #expect(error.maxAbsoluteError > 0 && error.maxAbsoluteError < 0.5)
        #expect(error.meanAbsoluteError > 0 && error.meanAbsoluteError <= error.maxAbsoluteError)
        let mae = try Validator.validate(reference: reference, candidate: candidate, dataDirectory: data,
                                         options: ValidationOptions(metric: .mae))
        #expect(mae.reference.metric == 0)
        #expect(abs(mae.candidate.metric - error.meanAbsoluteError) < 1e-9)
        #expect(abs(mae.drop - mae.candidate.metric) < 1e-12)
    }

    @Test func theGateFailsWhenTheCandidateDisagrees() throws {
        let fixture = try ValidationFixture(seed: 41)
        defer { fixture.remove() }
        let reference = try fixture.write(fixture.reference(), as: "fp32.onnx")
        let other = try fixture.write(fixture.reference(scaleSecondLayer: -1), as: "negated.onnx")
        let data = try fixture.writeSamples(20, seed: 42)
        let report = try Validator.validate(reference: reference, candidate: other, dataDirectory: data,
                                            options: ValidationOptions(metric: .top1, maxDrop: 1))
        #expect(report.reference.metric == 100)
        #expect(report.candidate.metric < 50)
        #expect(report.drop > 1 && !report.passed)
    }

    @Test func top1WithLabelsIsAccuracyAgainstTheLabels() throws {
        let fixture = try ValidationFixture(seed: 51)
        defer { fixture.remove() }
        let model = try fixture.write(fixture.reference(), as: "fp32.onnx")
        let data = try fixture.writeSamples(10, seed: 52)
        // The true class for the first 7 samples, a wrong one for the last 3.
        var labels: [String] = []
        for index in 0..<10 {
            let output = try fixture.referenceOutput(of: data + String(format: "/%04d.npy", index))
            let best = output.indices.max { output[$0] < output[$1] }!
            labels.append(String(index < 7 ? best : (best + 1) % 4))
        }
        try labels.joined(separator: "\n").write(toFile: fixture.path("labels.txt"), atomically: true, encoding: .utf8)
        let report = try Validator.validate(reference: model, candidate: model, dataDirectory: data,
                                            options: ValidationOptions(metric: .top1, labelsPath: fixture.path("labels.txt")))
        #expect(report.labeled)
        #expect(abs(report.reference.metric - 70) < 1e-9)
        #expect(report.drop == 0)
    }

    @Test func mismatchedInputsNameBothModels() throws {
        let fixture = try ValidationFixture(seed: 61)
        defer { fixture.remove() }
        let reference = try fixture.write(fixture.reference(), as: "fp32.onnx")
        var wider = fixture.reference()
        wider.graph.inputs[0].shape = [.fixed(1), .fixed(9)]
        wider.graph.initializers["w1"] = Tensor(shape: [9, 16], scalars: [Float](repeating: 0.5, count: 9 * 16))
        let candidate = try fixture.write(wider, as: "wider.onnx")
        let data = try fixture.writeSamples(2, seed: 62)
        do {
            _ = try Validator.validate(reference: reference, candidate: candidate, dataDirectory: data, options: ValidationOptions())
            Issue.record("mismatched inputs were accepted")
        } catch {
            #expect(error.message.contains("fp32.onnx") && error.message.contains("wider.onnx"))
            #expect(error.message.contains("[1, 8]") && error.message.contains("[1, 9]"))
        }
    }

    @Test func badSamplesAndLabelsGiveErrorsNamingTheFile() throws {
        let fixture = try ValidationFixture(seed: 71)
        defer { fixture.remove() }
        let model = try fixture.write(fixture.reference(), as: "fp32.onnx")
        let empty = fixture.path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: QuantizationError.self) {
            try Validator.validate(reference: model, candidate: model, dataDirectory: empty, options: ValidationOptions())
        }
        let wrong = try fixture.writeSamples(3, shape: [1, 5], folder: "wrong", seed: 72)
        do {
            _ = try Validator.validate(reference: model, candidate: model, dataDirectory: wrong, options: ValidationOptions())
            Issue.record("a [1, 5] sample was accepted for a [1, 8] input")
        } catch {
            #expect(error.message.contains("wrong/0000.npy") && error.message.contains("[1, 8]") && error.message.contains("[1, 5]"))
        }
        let data = try fixture.writeSamples(4, seed: 73)
        try "0\n1\n".write(toFile: fixture.path("short.txt"), atomically: true, encoding: .utf8)
        do {
            _ = try Validator.validate(reference: model, candidate: model, dataDirectory: data,
                                       options: ValidationOptions(metric: .top1, labelsPath: fixture.path("short.txt")))
            Issue.record("2 labels were accepted for 4 samples")
        } catch {
            #expect(error.message.contains("short.txt") && error.message.contains("2 lines") && error.message.contains("4 samples"))
        }
    }

    @Test func theObserverSeesBothModelsOutputsForEverySample() throws {
        let fixture = try ValidationFixture(seed: 81)
        defer { fixture.remove() }
        let model = try fixture.write(fixture.reference(), as: "fp32.onnx")
        let data = try fixture.writeSamples(5, seed: 82)
        let seen = Seen()
        _ = try Validator.validate(reference: model, candidate: model, dataDirectory: data, options: ValidationOptions(
            sampleObserver: { index, reference, candidate in
                seen.record(index, reference["y"]!.floats(), candidate["y"]!.floats())
            }))
        let records = seen.records
        #expect(records.map(\.index) == [0, 1, 2, 3, 4])
        for record in records {
            let expected = try fixture.referenceOutput(of: data + String(format: "/%04d.npy", record.index))
            #expect(zip(record.reference, expected).allSatisfy { abs($0 - $1) < 1e-4 })
            #expect(record.reference == record.candidate)
        }
    }

    @Test func editDistanceCountsCharacterEdits() {
        #expect(TextDistance.levenshtein("kitten", "sitting") == 3)
        #expect(TextDistance.levenshtein("", "abc") == 3)
        #expect(TextDistance.levenshtein("naïve", "naive") == 1)
        #expect(TextDistance.levenshtein("same", "same") == 0)
    }
}

/// Records what the sample observer saw (it may be called from the validation thread).
final class Seen: Sendable {
    struct Record: Sendable {
        var index: Int
        var reference: [Float]
        var candidate: [Float]
    }
    private let storage = Mutex<[Record]>([])
    func record(_ index: Int, _ reference: [Float], _ candidate: [Float]) {
        storage.withLock { $0.append(Record(index: index, reference: reference, candidate: candidate)) }
    }
    var records: [Record] { storage.withLock { $0 } }
}
