import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardQuantization
import SwitchyardTensor

/// `--weight-range`: 7-bit weights are what oneDNN's AVX2 int8 kernels compute exactly, so only
/// they run as int8 in the engine on a CPU without VNNI.
@Suite struct WeightRangeTests {
    private func quantized(_ range: WeightRange) throws -> Model {
        let folder = try TinyModels.sampleFolder(TinyModels.inputs(count: 8, seed: 21))
        let samples = try SampleSet(directory: folder, inputNames: ["x"])
        let options = QuantizationOptions(precision: .int8, weightRange: range)
        return try Quantizer.quantize(TinyModels.convNet(), options: options, calibration: samples).model
    }

    /// The int8 weight initializers' values.
    private func weightValues(_ model: Model) -> [Int8] {
        model.graph.initializers.values.filter { $0.dataType == .int8 && $0.rank >= 2 }.flatMap { $0.scalars(as: Int8.self) }
    }

    @Test func reducedWeightsStayWithinSevenBitsAndFullOnesUseEight() throws {
        let reduced = weightValues(try quantized(.reduced)), full = weightValues(try quantized(.full))
        #expect(!reduced.isEmpty && reduced.count == full.count)
        #expect(reduced.map { abs(Int($0)) }.max() == 63)
        #expect(full.map { abs(Int($0)) }.max() == 127)
    }

    @Test func theEngineRunsReducedWeightsAsInt8OnThisCPU() throws {
        let model = try LoadedModel(model: try quantized(.reduced), options: LoadOptions(quantizedExecution: .integer))
        let fused = model.graph.nodes.filter { $0.opType == "QLinearConv" || $0.opType == "QLinearMatMul" }
        #expect(!fused.isEmpty, "the QDQ convolutions become QLinearConv: \(model.graph.nodes.map(\.opType))")
        if !CPUPrecisionSupport.current.nativeVNNI {
            let full = try LoadedModel(model: try quantized(.full), options: LoadOptions(quantizedExecution: .integer))
            #expect(!full.graph.nodes.contains { $0.opType == "QLinearConv" }, "full-range weights would saturate without VNNI")
        }
    }
}
