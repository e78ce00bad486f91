import Testing
import SwitchyardTensor
import SwitchyardVision

@Suite struct PPOCRPreprocessingTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func detectionSizeMatchesRapidOCR() throws {
        let cases = try #require(try VisionFixtures.section("detectionSize") as? [[String: Any]])
        #expect(cases.count >= 10)
        for entry in cases {
            let width = try #require(entry["width"] as? Int), height = try #require(entry["height"] as? Int)
            let limit = try #require(entry["limit"] as? Int)
            let image = try Image(width: width, height: height, channels: 1, pixels: [UInt8](repeating: 1, count: width * height))
            let size = image.ppocrDetectionSize(entry["limitType"] as? String == "min" ? .minSide(limit) : .maxSide(limit))
            let expected = entry["expected"] as? [Int]
            #expect(size.map { [$0.width, $0.height] } == expected, "\(width)×\(height) \(entry)")
        }
    }

    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func textLineTensorMatchesRapidOCRResizeNormImg() throws {
        let cases = try #require(try VisionFixtures.section("textLine") as? [[String: Any]])
        #expect(cases.count >= 5)
        for entry in cases {
            let crop = try VisionFixtures.image(try #require(entry["source"] as? String))
            let expected = try VisionFixtures.tensor(try #require(entry["expected"] as? String))
            let tensor = crop.ppocrTextLineTensor(height: try #require(entry["height"] as? Int), width: try #require(entry["width"] as? Int))
            try #require(tensor.shape == expected.shape, "\(tensor.shape) vs \(expected.shape)")
            let largest = zip(tensor.floats(), expected.floats()).map { abs($0 - $1) }.max() ?? 0
            #expect(largest < 1e-5, "\(entry["source"] ?? ""): largest difference \(largest)")
        }
    }

    @Test func paddingIsZeroAndWideLinesAreSquashed() throws {
        let line = randomImage(width: 20, height: 10, channels: 3, seed: 41)
        let padded = line.ppocrTextLineTensor(height: 8, width: 32).floats()
        // 20×10 at height 8 is 16 wide: columns 16…31 of every row are padding.
        for row in 0..<(3 * 8) { #expect(padded[(row * 32 + 16)..<(row * 32 + 32)].allSatisfy { $0 == 0 }) }
        #expect(padded[0..<16].allSatisfy { $0 >= -1 && $0 <= 1 } && padded[0..<16].contains { $0 != 0 })
        let squashed = line.ppocrTextLineTensor(height: 8, width: 10)
        #expect(squashed.shape == [1, 3, 8, 10])
    }
}
