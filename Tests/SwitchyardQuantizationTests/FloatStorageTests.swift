import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardQuantization
import SwitchyardTensor

@Suite struct FloatStorageTests {
    /// Serialised, loaded back, run by the engine: the largest error relative to the FP32 output.
    private func relativeError(of precision: QuantizationPrecision) throws -> (error: Float, ratio: Double, model: Model) {
        let original = TinyModels.convNet()
        let (quantized, _) = try Quantizer.quantize(original, options: QuantizationOptions(precision: precision))
        let originalBytes = try ModelWriter.serialize(original).count
        let data = try ModelWriter.serialize(quantized)
        let loaded = try ModelLoader.load(data: data, baseDirectory: nil)
        let reference = try Session(model: original), candidate = try Session(model: loaded)
        var worst: Float = 0
        for input in TinyModels.inputs(count: 4, seed: 11) {
            let expected = try reference.run(["x": input])["y"]!, actual = try candidate.run(["x": input])["y"]!
            worst = max(worst, TinyModels.maxAbsDifference(expected, actual) / TinyModels.maxAbs(expected))
        }
        return (worst, Double(data.count) / Double(originalBytes), loaded)
    }

    @Test func fp16HalvesWeightsWithinHalfPrecision() throws {
        let (error, ratio, model) = try relativeError(of: .fp16)
        #expect(error < 2e-3)
        #expect(error > 0)  // the weights really changed
        #expect(ratio < 0.6)
        let halfWeights = model.graph.initializers.values.filter { $0.dataType == .float16 }
        #expect(halfWeights.count == 4)  // w1 (BN folded in), w2, wg, wm
        #expect(model.metadata[Quantizer.precisionMetadataKey] == "fp16")
    }

    @Test func bf16HalvesWeightsWithinBFloat16Precision() throws {
        let (error, ratio, model) = try relativeError(of: .bf16)
        #expect(error < 2e-2)
        #expect(error > 0)
        #expect(ratio < 0.6)
        #expect(model.graph.initializers.values.filter { $0.dataType == .bfloat16 }.count == 4)
    }

    @Test func batchNormIsFoldedAndBiasesStayFloat() throws {
        let (quantized, report) = try Quantizer.quantize(TinyModels.convNet(), options: QuantizationOptions(precision: .fp16))
        #expect(!quantized.graph.nodes.contains { $0.opType == "BatchNormalization" })
        #expect(!quantized.graph.initializers.values.contains { $0.dataType == .float16 && $0.rank == 1 })
        #expect(report.notes.contains { $0.contains("BatchNormalization") })
        #expect(report.notes.contains { $0.contains("storage format") || $0.contains("BF16") })
        #expect(report.converted.count == 4)
    }

    @Test func bf16MovesOldOpsetsTo13ForCast() throws {
        var model = TinyModels.convNet()
        model.opsetImports = ["": 11]
        let (quantized, report) = try Quantizer.quantize(model, options: QuantizationOptions(precision: .bf16))
        #expect(quantized.defaultOpset == 13)
        #expect(report.notes.contains { $0.contains("opset 11 -> 13") })
    }

    @Test func engineFoldsTheCastsAtLoad() throws {
        let (quantized, _) = try Quantizer.quantize(TinyModels.convNet(), options: QuantizationOptions(precision: .fp16))
        let loaded = try LoadedModel(model: quantized)
        #expect(!loaded.graph.nodes.contains { $0.opType == "Cast" })
        #expect(!loaded.graph.initializers.values.contains { $0.dataType == .float16 })
    }

    @Test func valuesBeyondFloat16StayFloat() throws {
        var model = TinyModels.convNet()
        var weights = model.graph.initializers["wm"]!.floats()
        weights[5] = 1e6
        model.graph.initializers["wm"] = Tensor(shape: [64, 10], scalars: weights)
        let (quantized, report) = try Quantizer.quantize(model, options: QuantizationOptions(precision: .fp16))
        #expect(quantized.graph.initializers["wm"]?.dataType == .float32)
        #expect(report.keptFP32.contains { $0.name == "wm" && $0.detail.contains("65504") })
        let (bf16, _) = try Quantizer.quantize(model, options: QuantizationOptions(precision: .bf16))
        #expect(bf16.graph.initializers["wm"] == nil)  // bfloat16 holds 1e6: stored as wm_bf16
    }

    /// `--fp16-storage` (the BF16 speed gate's choice): the named layers' weights are FP16 beside
    /// the other layers' BF16, so the model stays half the size and those layers compute in FP32.
    @Test func bf16StoresTheNamedLayersAsFP16() throws {
        var options = QuantizationOptions(precision: .bf16)
        options.fp16Storage = ["conv2", "MatMul"]
        let (quantized, report) = try Quantizer.quantize(TinyModels.convNet(), options: options)
        let types = Dictionary(uniqueKeysWithValues: quantized.graph.nodes.filter { $0.opType == "Cast" }.map {
            ($0.outputs[0], quantized.graph.initializers[$0.inputs[0]]!.dataType)
        })
        #expect(types == ["w1_folded": .bfloat16, "w2": .float16, "wg": .bfloat16, "wm": .float16])  // w1 holds the folded BN
        #expect(report.converted.filter { $0.detail.contains("stored as FP16 for speed") }.map(\.name).sorted() == ["w2", "wm"])
        let loaded = try LoadedModel(model: quantized)
        let reference = try Session(model: TinyModels.convNet()), candidate = try Session(model: loaded)
        for input in TinyModels.inputs(count: 2, seed: 5) {
            let expected = try reference.run(["x": input])["y"]!, actual = try candidate.run(["x": input])["y"]!
            #expect(TinyModels.maxAbsDifference(expected, actual) / TinyModels.maxAbs(expected) < 2e-2)
        }
    }

    @Test func fp16StorageNamingNoLayerIsRefusedWithTheFlag() throws {
        var options = QuantizationOptions(precision: .bf16)
        options.fp16Storage = ["conv9"]
        #expect {
            _ = try Quantizer.quantize(TinyModels.convNet(), options: options)
        } throws: { error in
            "\(error)".contains("--fp16-storage 'conv9'") && "\(error)".contains("conv1")
        }
    }
}
