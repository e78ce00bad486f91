import Foundation
import Testing
import SwitchyardONNX
import SwitchyardQuantization
import SwitchyardTensor

@Suite struct QuantizeBadInputTests {
    private func modelFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-tiny-\(UUID().uuidString).onnx").path
        try ModelWriter.serialize(TinyModels.convNet()).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as QuantizationError { return error.message } catch { return "\(error)" }
        return nil
    }

    @Test func emptyCalibrationFolderNamesTheLayout() throws {
        let folder = try TinyModels.sampleFolder([])
        let model = try modelFile()
        let text = message {
            _ = try Quantizer.quantizeFile(at: model, to: model + ".int8.onnx", options: QuantizationOptions(precision: .int8), calibrationDirectory: folder)
        }
        #expect(text?.contains(folder) == true)
        #expect(text?.contains("no samples") == true)
    }

    @Test func wrongShapeNamesTheFileAndTheExpectedShape() throws {
        var random = SplitMix64(seed: 5)
        let folder = try TinyModels.sampleFolder([TinyModels.uniform([1, 4, 8, 8], &random), TinyModels.uniform([1, 3, 8, 8], &random)])
        let text = message {
            _ = try Quantizer.quantize(TinyModels.convNet(), options: QuantizationOptions(precision: .int8),
                                       calibration: SampleSet(directory: folder, inputNames: ["x"]))
        }
        #expect(text?.contains("\(folder)/0001.npy") == true)
        #expect(text?.contains("[1, 3, 8, 8]") == true)
        #expect(text?.contains("expected [?, 4, 8, 8]") == true)
    }

    @Test func unknownExclusionListsNearNames() throws {
        let text = message {
            _ = try Quantizer.quantize(TinyModels.convNet(), options: QuantizationOptions(precision: .fp16, exclude: ["conv3"]))
        }
        #expect(text?.contains("'conv3'") == true)
        #expect(text?.contains("conv1") == true && text?.contains("conv2") == true)
    }

    @Test func unwritableOutputFailsBeforeAnyWork() throws {
        let model = try modelFile()
        let text = message {
            _ = try Quantizer.quantizeFile(at: model, to: "/nonexistent-folder/out.onnx", options: QuantizationOptions(precision: .fp16))
        }
        #expect(text?.contains("/nonexistent-folder") == true)
        let directory = message {
            _ = try Quantizer.quantizeFile(at: model, to: NSTemporaryDirectory(), options: QuantizationOptions(precision: .fp16))
        }
        #expect(directory?.contains("is a directory") == true)
    }

    @Test func writesTheFileAndReportsSizes() throws {
        let model = try modelFile()
        let output = model + ".fp16.onnx"
        let report = try Quantizer.quantizeFile(at: model, to: output, options: QuantizationOptions(precision: .fp16))
        let written = try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int
        #expect(report.outputBytes == written)
        #expect((report.sizeRatio ?? 1) < 0.6)
        #expect(report.json().contains("\"outputBytes\""))
        #expect(report.text().contains("kept FP32"))
    }
}
