import Foundation
import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision
import Testing

/// The OCR processors against rapidocr-onnxruntime's own pre-processing on the same inputs
/// (fixtures made by scripts/make-ocr-fixtures.py into .cache/ocr-fixtures/).
@Suite("PP-OCR processors vs rapidocr", .enabled(if: OCRFixtures.available, OCRFixtures.missing))
struct OCRReferenceTests {
    @Test("crops match get_rotate_crop_image (OpenCV bicubic warp) within one level", arguments: 0..<5)
    func crop(index: Int) throws {
        let image = try OCRFixtures.image("image-crop.npy")
        let quads = try OCRFixtures.manifest()["quads"] as? [[[Double]]] ?? []
        let quad = Quad(points: quads[index].map { Point(x: Float($0[0]), y: Float($0[1])) })
        let expected = try OCRFixtures.image("crop-\(index).npy")
        let crop = image.cropped(to: quad)
        #expect(crop.width == expected.width && crop.height == expected.height)
        guard crop.pixels.count == expected.pixels.count else { return }
        let differences = zip(crop.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }
        #expect(differences.max() ?? 0 <= 1)
        #expect(differences.filter { $0 > 0 }.count * 100 <= differences.count, "at most 1% of the bytes off by one")
    }

    @Test("ocr-det-preprocess matches DetPreProcess (size exactly, values within two levels)")
    func detector() throws {
        let page = try OCRFixtures.image("image-det.npy")
        let expected = try OCRFixtures.tensor("det.npy")
        let out = try Builtin.processor("ocr-det-preprocess").process(Builtin.item(["image": .image(page)]))
        let tensor = try #require(out[0].tensorValue("tensor"))
        #expect(tensor.shape == expected.shape)
        try Self.expectClose(tensor.floats(), expected.floats(), levels: 2)
    }

    @Test("ocr-cls-preprocess and ocr-rec-preprocess match resize_norm_img", arguments: 0..<4)
    func lines(index: Int) throws {
        let line = try OCRFixtures.image("line-\(index).npy")
        for (processor, file) in [("ocr-cls-preprocess", "cls-\(index).npy"), ("ocr-rec-preprocess", "rec-\(index).npy")] {
            let expected = try OCRFixtures.tensor(file)
            let out = try Builtin.processor(processor).process(Builtin.item(["crop": .image(line)]))
            let tensor = try #require(out[0].tensorValue("tensor"))
            #expect(tensor.shape == [1] + expected.shape, "\(processor)")
            try Self.expectClose(tensor.floats(), expected.floats(), levels: 2)
        }
    }

    /// Every value within `levels` 8-bit levels ((x/255-0.5)/0.5 units), and the mean difference
    /// under a quarter level.
    static func expectClose(_ got: [Float], _ want: [Float], levels: Float) throws {
        try #require(got.count == want.count)
        let level: Float = 2 / 255
        let differences = zip(got, want).map { abs($0 - $1) }
        #expect((differences.max() ?? 0) <= levels * level + 1e-5)
        #expect(differences.reduce(0, +) / Float(max(differences.count, 1)) < level / 4)
    }
}

/// The fixtures of scripts/make-ocr-fixtures.py in .cache/ocr-fixtures/.
enum OCRFixtures {
    static let directory = BuiltinModels.root.appendingPathComponent(".cache/ocr-fixtures")

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("manifest.json").path)
    }

    static let missing: Comment = "OCR fixtures missing: run .venv/bin/python scripts/make-ocr-fixtures.py (scripts/test-ocr.sh does)"

    static func manifest() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func tensor(_ name: String) throws -> Tensor {
        try Tensor(npyFile: directory.appendingPathComponent(name).path)
    }

    /// A uint8 H×W×3 array as an RGB image.
    static func image(_ name: String) throws -> Image {
        let array = try tensor(name)
        return try Image(width: array.shape[1], height: array.shape[0], channels: array.shape[2],
                         pixels: array.withUnsafeBytes { [UInt8]($0) })
    }
}
