import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardQuantization
import SwitchyardTensor

@Suite struct DynamicINT8Tests {
    @Test func matMulAndGemmGetInt8WeightsAndConvStaysFloat() throws {
        let (model, report) = try Quantizer.quantize(TinyModels.convNet(), options: QuantizationOptions(precision: .int8Dynamic))
        #expect(Set(report.converted.map(\.name)) == ["gemm", "matmul"])
        let graph = model.graph
        #expect(graph.nodes.filter { $0.opType == "MatMulInteger" }.count == 2)
        #expect(graph.nodes.filter { $0.opType == "DynamicQuantizeLinear" }.count == 2)
        #expect(graph.nodes.filter { $0.opType == "Conv" }.count == 2)
        #expect(graph.initializers["wg"] == nil && graph.initializers["wm"] == nil)

        let loaded = try ModelLoader.load(data: ModelWriter.serialize(model), baseDirectory: nil)
        let reference = try Session(model: TinyModels.convNet())
        let candidate = try Session(model: loaded, options: SessionOptions(referenceOnly: true))
        for input in TinyModels.inputs(count: 4, seed: 41) {
            let expected = try reference.run(["x": input])["y"]!, actual = try candidate.run(["x": input])["y"]!
            let error = TinyModels.maxAbsDifference(expected, actual) / TinyModels.maxAbs(expected)
            #expect(error < 0.03, "relative error \(error)")
            #expect(error > 0)
        }
    }
}
