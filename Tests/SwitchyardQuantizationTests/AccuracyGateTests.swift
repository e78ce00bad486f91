import Foundation
import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardQuantization

/// The accuracy gate on a three-layer MLP whose last layer reads an activation with one huge
/// channel: quantizing that activation wipes out the others, and only keeping `mm2` in FP32 (so it
/// reads the float value) brings the output back.
@Suite struct AccuracyGateTests {
    /// x[1,8] → mm0 → Relu → mm1 (output channel 0 scaled ×500) → h → mm2 (ignores channel 0) → y[1,4].
    static func sensitiveMLP(seed: UInt64 = 5) -> Model {
        var random = SplitMix64(seed: seed)
        let w0 = TinyModels.uniform([8, 16], &random)
        var w1 = TinyModels.uniform([16, 16], &random).floats()
        for row in 0..<16 { w1[row * 16] *= 500 }
        var w2 = TinyModels.uniform([16, 4], &random).floats()
        for column in 0..<4 { w2[column] = 0 }
        let graph = Graph(
            name: "sensitive", nodes: [
                Node(name: "mm0", opType: "MatMul", inputs: ["x", "w0"], outputs: ["a"]),
                Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["r"]),
                Node(name: "mm1", opType: "MatMul", inputs: ["r", "w1"], outputs: ["h"]),
                Node(name: "mm2", opType: "MatMul", inputs: ["h", "w2"], outputs: ["y"]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.fixed(1), .fixed(4)])],
            initializers: ["w0": w0, "w1": Tensor(shape: [16, 16], scalars: w1), "w2": Tensor(shape: [16, 4], scalars: w2)])
        return Model(opsetImports: ["": 13], graph: graph)
    }

    private func folders() throws -> (calibration: SampleSet, validation: String) {
        var random = SplitMix64(seed: 77)
        let samples = (0..<40).map { _ in TinyModels.uniform([1, 8], &random) }
        let calibration = try TinyModels.sampleFolder(Array(samples[..<16]))
        return (try SampleSet(directory: calibration, inputNames: ["x"]), try TinyModels.sampleFolder(Array(samples[16...])))
    }

    @Test func keepsOnlyTheSensitiveLayerInFloat() throws {
        let (calibration, validation) = try folders()
        let gate = AccuracyGateOptions(validationDirectory: validation, metric: .mae, maxDrop: 0.3, sensitivitySamples: 8)
        let (model, report) = try Quantizer.quantize(Self.sensitiveMLP(), options: QuantizationOptions(precision: .int8, gate: gate),
                                                     calibration: calibration)
        let outcome = try #require(report.accuracyGate)
        #expect(outcome.samples == 24 && outcome.sensitivitySamples == 8)
        #expect(outcome.checks.count == 2)
        #expect(outcome.checks[0].keptFP32.isEmpty && outcome.checks[0].drop > 1, "fully quantized drop \(outcome.checks[0].drop)")
        #expect(outcome.checks[1].keptFP32 == ["mm2"] && outcome.checks[1].drop <= 0.3, "drop \(outcome.checks[1].drop)")
        #expect(outcome.kept.map(\.node) == ["mm2"])
        #expect(outcome.kept[0].errorReduction > 1)
        #expect(report.keptFP32.map(\.name) == ["mm2"] && report.keptFP32[0].detail.contains("accuracy gate"))
        #expect(Set(report.converted.map(\.name)) == ["mm0", "mm1"])
        // mm2 reads the float activation and its float weight; nothing quantizes h any more.
        let mm2 = try #require(model.graph.nodes.first { $0.name == "mm2" })
        #expect(mm2.inputs == ["h", "w2"])
        #expect(!model.graph.nodes.contains { $0.opType == "QuantizeLinear" && $0.inputs[0] == "h" })
        #expect(report.text().contains("1 most sensitive layer(s) in FP32, the last 'mm2'"))
        // The written model really is within the gate on the validation samples.
        #expect(try TinyModels.meanAbsoluteError(of: model, against: Self.sensitiveMLP(), on: validation) <= 0.3)
    }

    /// The search over prefixes of the ranking: the smallest passing size for every threshold,
    /// in about 2·log2(size) checks, never checking a size twice.
    @Test(arguments: [1, 2, 3, 5, 8, 13, 40, 63])
    func fewestPassingFindsTheSmallestPassingPrefix(count: Int) {
        for threshold in 1...(count + 1) {
            var tried: [Int] = []
            let found = AccuracyGate.fewestPassing(count: count) { (size: Int) -> Bool in
                tried.append(size)
                return size >= threshold
            }
            #expect(found == (threshold <= count ? threshold : nil), "count \(count), threshold \(threshold)")
            #expect(Set(tried).count == tried.count && tried.allSatisfy { (1...count).contains($0) })
            let bound = 2 * Int(log2(Double(max(threshold, 2))).rounded(.up)) + 2
            #expect(tried.count <= bound, "count \(count), threshold \(threshold): \(tried)")
        }
        #expect(AccuracyGate.fewestPassing(count: 0) { _ in true } == nil)
    }

    @Test func fewestPassingReturnsAPassingSizeWhenTheChecksAreNotMonotone() {
        // 3 passes, 4 fails (noise), 5+ pass: the search may answer 3 or 5+, never a failing size.
        let passing: (Int) -> Bool = { $0 == 3 || $0 >= 5 }
        let found = AccuracyGate.fewestPassing(count: 9, passes: passing)
        #expect(found.map(passing) == true)
    }

    @Test func aModelWithinTheGateKeepsEveryLayerQuantized() throws {
        let (calibration, validation) = try folders()
        let gate = AccuracyGateOptions(validationDirectory: validation, metric: .mae, maxDrop: 1000)
        let (_, report) = try Quantizer.quantize(Self.sensitiveMLP(), options: QuantizationOptions(precision: .int8, gate: gate),
                                                 calibration: calibration)
        let outcome = try #require(report.accuracyGate)
        #expect(outcome.checks.count == 1 && outcome.kept.isEmpty && outcome.sensitivitySamples == 0)
        #expect(outcome.checks[0].drop > 0)
        #expect(report.converted.count == 3 && report.keptFP32.isEmpty)
    }

    @Test func aGateNoLayerChoiceCanMeetIsAClearError() throws {
        let (calibration, validation) = try folders()
        // A negative allowance: even the all-FP32 model (drop 0) misses it.
        let gate = AccuracyGateOptions(validationDirectory: validation, metric: .mae, maxDrop: -1)
        #expect {
            _ = try Quantizer.quantize(Self.sensitiveMLP(), options: QuantizationOptions(precision: .int8, gate: gate),
                                       calibration: calibration)
        } throws: { error in
            let message = (error as? QuantizationError)?.message ?? ""
            return message.contains("accuracy gate cannot be met") && message.contains("all 3 quantized layers kept in FP32")
                && message.contains(validation)
        }
    }

    @Test func aMissingValidationFolderIsNamed() throws {
        let (calibration, _) = try folders()
        let gate = AccuracyGateOptions(validationDirectory: "/nonexistent/validation", metric: .mae, maxDrop: 0.1)
        #expect {
            _ = try Quantizer.quantize(Self.sensitiveMLP(), options: QuantizationOptions(precision: .int8, gate: gate),
                                       calibration: calibration)
        } throws: { error in
            ((error as? QuantizationError)?.message ?? "").contains("/nonexistent/validation")
        }
    }
}
