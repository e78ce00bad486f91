import Foundation
import Testing
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardQuantization
import SwitchyardTensor
import SwitchyardVision

/// `--preprocess`: image folders for calibration, made into the model's input tensor as the
/// pipeline processors would (resize or letterbox, channel order, normalize, layout).
@Suite struct ImagePreprocessingTests {
    /// A 4×2 RGB image with distinct pixel values, saved as PNG in a fresh folder as `name`.
    static func imageFolder(count: Int, width: Int = 4, height: Int = 2) throws -> (folder: String, images: [Image]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-images-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var random = SplitMix64(seed: 77)
        var images: [Image] = []
        for index in 0..<count {
            let pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 1...255, using: &random) }
            let image = try Image(width: width, height: height, channels: 3, pixels: pixels)
            try Data(ImageCodec.encodePNG(image)).write(to: URL(fileURLWithPath: "\(folder)/\(String(format: "%04d", index)).png"))
            images.append(image)
        }
        return (folder, images)
    }

    @Test func parsesThePipelineProcessorsKeys() throws {
        let spec = try ImagePreprocessing(parsing: "resize=192x48, mean=0.5, std=0.25:0.5:1, layout=nhwc, channel_order=bgr, scale=0.5")
        #expect(spec.sizing == .resize(width: 192, height: 48))
        #expect(spec.mean == [0.5] && spec.std == [0.25, 0.5, 1] && spec.scale == 0.5 && spec.bgr)
        #expect(try ImagePreprocessing(parsing: "letterbox=320x320").sizing == .letterbox(width: 320, height: 320))
        for (bad, named) in [("resize=192", "resize"), ("mean=1:2", "mean"), ("std=0", "std"), ("size=3x3", "size"), ("layout=chw", "layout")] {
            do {
                _ = try ImagePreprocessing(parsing: bad)
                Issue.record("'\(bad)' was accepted")
            } catch {
                #expect(error.message.contains(named), "\(error.message)")
            }
        }
    }

    @Test func normalizesEachChannelInTheGivenOrderAndLayout() throws {
        let (folder, images) = try Self.imageFolder(count: 1)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spec = try ImagePreprocessing(parsing: "scale=0.01,mean=0.1:0.2:0.3,std=2,channel_order=bgr")
        let tensor = try spec.tensor(contentsOf: "\(folder)/0000.png")
        #expect(tensor.shape == [1, 3, 2, 4])
        let values = tensor.scalars(as: Float.self), pixels = images[0].pixels
        // Channel k of the tensor is the image's channel 2 - k (BGR), normalized with mean[k].
        for k in 0..<3 {
            for p in 0..<8 {
                let expected = (Float(pixels[p * 3 + (2 - k)]) * 0.01 - [0.1, 0.2, 0.3][k]) / 2
                #expect(abs(values[k * 8 + p] - expected) <= 1e-6)
            }
        }
        let resized = try ImagePreprocessing(parsing: "resize=8x6,layout=nhwc").tensor(contentsOf: "\(folder)/0000.png")
        #expect(resized.shape == [1, 6, 8, 3])
        #expect(resized.scalars(as: Float.self) == images[0].resized(width: 8, height: 6).tensor(layout: .nhwc, mean: [0], std: [1]).scalars(as: Float.self))
    }

    @Test func calibratesOnAFolderOfImages() throws {
        let (folder, _) = try Self.imageFolder(count: 3, width: 12, height: 10)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spec = try ImagePreprocessing(parsing: "resize=8x8,mean=0.5,std=0.5")
        let samples = try SampleSet(directory: folder, inputNames: ["x"], preprocess: spec)
        #expect(samples.locations == (0..<3).map { .image("\(folder)/000\($0).png") })
        #expect(try samples.sample(at: 1)["x"]?.shape == [1, 3, 8, 8])

        // Without --preprocess the folder holds no samples, and the error says what would read it.
        do {
            _ = try SampleSet(directory: folder, inputNames: ["x"])
            Issue.record("a folder of images was read without --preprocess")
        } catch {
            #expect(error.message.contains("--preprocess"))
        }

        let model = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-rgb-\(UUID().uuidString).onnx").path
        try ModelWriter.serialize(Self.rgbConvolution()).write(to: URL(fileURLWithPath: model))
        defer { try? FileManager.default.removeItem(atPath: model) }
        let output = model + ".int8.onnx"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let report = try Quantizer.quantizeFile(at: model, to: output, options: QuantizationOptions(precision: .int8, preprocess: spec),
                                                calibrationDirectory: folder)
        #expect((report.outputBytes ?? 0) > 0)
        let quantized = try ModelLoader.load(path: output)
        #expect(quantized.graph.nodes.contains { $0.opType == "QuantizeLinear" })
    }

    /// x[N,3,8,8] → Conv(4, 3×3) → Relu → GlobalAveragePool → y.
    static func rgbConvolution() -> Model {
        var random = SplitMix64(seed: 12)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["y"]),
        ]
        let graph = Graph(name: "rgb", nodes: nodes,
                          inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .fixed(8), .fixed(8)])],
                          outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(4), .fixed(1), .fixed(1)])],
                          initializers: ["w": TinyModels.uniform([4, 3, 3, 3], &random, scale: 0.3), "b": TinyModels.uniform([4], &random, scale: 0.1)])
        return Model(opsetImports: ["": 13], graph: graph)
    }
}
