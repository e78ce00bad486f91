import Testing
import SwitchyardQuantization
@testable import switchyard

/// The speed gate's choice on synthetic per-node timings (milliseconds per run, execution order).
@Suite struct LayerSpeedComparisonTests {
    let comparison = LayerSpeedComparison()

    /// rec's case: a dense convolution that int8 makes faster but is the largest cost, and a
    /// depthwise one that int8 makes slower with its output's FakeQuantize on its own.
    let float: [(node: String, milliseconds: Double)] = [
        ("stem", 0.30), ("relu_stem", 0.01), ("dense", 2.00), ("depthwise", 0.40), ("pool", 0.05), ("head", 0.10),
    ]
    let quantized: [(node: String, milliseconds: Double)] = [
        ("(region boundary)", 0.02), ("stem", 0.29), ("quantize_dense", 0.03), ("dense", 1.10),
        ("depthwise", 0.45), ("fq_depthwise", 0.12), ("pool", 0.05), ("head", 0.101),
    ]
    let layerNames: Set<String> = ["stem", "dense", "depthwise", "head", "missing"]

    @Test func eachLayerIsChargedItsFollowersInBothModels() {
        let layers = comparison.layers(quantized: quantized, float: float, layerNames: layerNames)
        #expect(layers.map(\.name) == ["stem", "dense", "depthwise", "head"])
        let byName = Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0) })
        // The stem's quantize step of the next layer's input, and the depthwise layer's FakeQuantize.
        #expect(abs(byName["stem"]!.quantizedMilliseconds - 0.32) < 1e-9)
        #expect(abs(byName["stem"]!.floatMilliseconds - 0.31) < 1e-9)
        #expect(abs(byName["depthwise"]!.quantizedMilliseconds - 0.62) < 1e-9)
        #expect(abs(byName["depthwise"]!.floatMilliseconds - 0.45) < 1e-9)
    }

    @Test func onlyLayersSlowerThanTheirFloatVersionAreKept() {
        let layers = comparison.layers(quantized: quantized, float: float, layerNames: layerNames)
        // dense is the costliest quantized layer but faster than in FP32; head loses 1 µs (noise);
        // stem loses 3 % (within the ratio).
        #expect(comparison.losing(layers).map(\.name) == ["depthwise"])
    }

    @Test func losersComeLargestLossFirstAndExcludedOnesAreSkipped() {
        let layers: [LayerSpeedComparison.Layer] = [
            .init(name: "a", quantizedMilliseconds: 0.20, floatMilliseconds: 0.10),
            .init(name: "b", quantizedMilliseconds: 0.90, floatMilliseconds: 0.30),
            .init(name: "c", quantizedMilliseconds: 0.50, floatMilliseconds: 0.60),
            .init(name: "d", quantizedMilliseconds: 0.45, floatMilliseconds: 0.30),
        ]
        #expect(comparison.losing(layers).map(\.name) == ["b", "d", "a"])
        #expect(comparison.losing(layers, excluded: ["b"]).map(\.name) == ["d", "a"])
    }

    @Test func nodesBeforeTheFirstLayerAndUnmatchedLayersAreLeftOut() {
        let layers = comparison.layers(quantized: [("input_quantize", 5), ("only_quantized", 1), ("x", 1)],
                                       float: [("x", 0.5)], layerNames: ["x", "only_quantized"])
        #expect(layers == [.init(name: "x", quantizedMilliseconds: 1, floatMilliseconds: 0.5)])
    }

    @Test func aNodesTimeIsItsFastestPass() {
        let passes: [[(node: String, milliseconds: Double)]] = [
            [("a", 0.30), ("b", 12.0)],
            [("a", 0.20), ("b", 0.11), ("c", 0.5)],
            [("a", 0.25), ("b", 0.10)],
        ]
        let fastest = LayerSpeedComparison.fastest(of: passes)
        #expect(fastest.map(\.node) == ["a", "b", "c"])
        #expect(fastest.map(\.milliseconds) == [0.20, 0.10, 0.5])
    }
}

/// The speed gate's last step: a model not faster than its source beyond timing noise after the
/// rounds keeps every layer it still converts in FP32 (cls on an AVX-512 VNNI CPU: 1.07× after two
/// rounds, with the difference in the quantize steps between the layers; cls on an AMX CPU: 1.03×
/// with 2 layers left int8, and 0.85× FP32's speed at batch 8).
@Suite struct SpeedGateLastStepTests {
    @Test func aModelStillSlowerKeepsEveryRemainingLayer() {
        let kept = SpeedGate.layersToKeepWhenNotFaster(ratio: 1.07, converted: ["a", "b", "c"], excluded: ["b"])
        #expect(kept == ["a", "c"])
    }

    @Test func aModelWithinTheNoiseKeepsEveryRemainingLayer() {
        #expect(SpeedGate.layersToKeepWhenNotFaster(ratio: 1.03, converted: ["a"], excluded: []) == ["a"])
        #expect(SpeedGate.layersToKeepWhenNotFaster(ratio: 0.96, converted: ["a"], excluded: []) == ["a"])
    }

    @Test func aFasterModelOrOneWithNothingLeftKeepsItsLayers() {
        #expect(SpeedGate.layersToKeepWhenNotFaster(ratio: 0.94, converted: ["a"], excluded: []) == nil)
        #expect(SpeedGate.layersToKeepWhenNotFaster(ratio: 0.44, converted: ["a"], excluded: []) == nil)
        #expect(SpeedGate.layersToKeepWhenNotFaster(ratio: 1.3, converted: ["a"], excluded: ["a"]) == nil)
    }
}

/// A speed-gate round stands only when the whole model got faster, beyond timing noise: keeping a layer FP32 that
/// is slower alone can slow the model (PP-OCR rec on VNNI: 0.54× the source's time before the
/// round, 0.79× after it).
@Suite struct SpeedGateRoundTests {
    @Test func aRoundThatSpeedsTheModelUpStands() {
        #expect(SpeedGate.roundStands(ratio: 0.5, bestRatio: 0.54))
        #expect(SpeedGate.roundStands(ratio: 1.01, bestRatio: 1.12))
    }

    @Test func aRoundThatSlowsTheModelOrChangesNothingIsUndone() {
        #expect(!SpeedGate.roundStands(ratio: 0.79, bestRatio: 0.54))
        #expect(!SpeedGate.roundStands(ratio: 0.54, bestRatio: 0.54))
    }

    /// A gain within timing noise is no gain: the round is undone and its layers stay int8.
    @Test func aRoundWithinTheNoiseIsUndone() {
        #expect(!SpeedGate.roundStands(ratio: 0.435, bestRatio: 0.44))
        #expect(!SpeedGate.roundStands(ratio: 1.08, bestRatio: 1.12))
        #expect(SpeedGate.roundStands(ratio: 0.41, bestRatio: 0.44))
    }
}

/// Which conversions the speed gate times: int8 always; BF16 only where oneDNN computes it (on an
/// AMX CPU PP-OCR cls ran 0.90× FP32's speed as BF16); FP16, and BF16 elsewhere, are storage
/// formats computed in FP32.
@Suite struct SpeedGatePrecisionTests {
    @Test func int8AndNativeBF16AreChecked() {
        #expect(SpeedGate.checks(.int8, nativeBF16: false))
        #expect(SpeedGate.checks(.bf16, nativeBF16: true))
    }

    @Test func storageFormatsAreNot() {
        #expect(!SpeedGate.checks(.bf16, nativeBF16: false))
        #expect(!SpeedGate.checks(.fp16, nativeBF16: true))
        #expect(!SpeedGate.checks(.int8Dynamic, nativeBF16: true))
    }

    @Test func bf16LayersMoveToFP16StorageAndInt8LayersToFP32() {
        let bf16 = SpeedGate(source: "m.onnx", output: "o.onnx", calibration: "c", options: QuantizationOptions(precision: .bf16))
        let moved = bf16.keeping(["conv1"], in: bf16.options)
        #expect(moved.fp16Storage == ["conv1"] && moved.exclude.isEmpty)
        #expect(bf16.keptAs == "FP16 storage computed in FP32")
        let int8 = SpeedGate(source: "m.onnx", output: "o.onnx", calibration: "c", options: QuantizationOptions(precision: .int8))
        let kept = int8.keeping(["conv1"], in: int8.options)
        #expect(kept.exclude == ["conv1"] && kept.fp16Storage.isEmpty)
        #expect(int8.alreadyKept(kept) == ["conv1"])
    }
}

