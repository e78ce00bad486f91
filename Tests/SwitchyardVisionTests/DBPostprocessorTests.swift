import Testing
import SwitchyardTensor
import SwitchyardVision

@Suite struct DBPostprocessorTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func matchesRapidOCRDBPostProcess() throws {
        let cases = try #require(try VisionFixtures.section("db") as? [[String: Any]])
        #expect(cases.count >= 10)
        for entry in cases {
            let file = try #require(entry["probability"] as? String)
            let probability = try VisionFixtures.tensor(file)
            let width = try #require(entry["originalWidth"] as? Int), height = try #require(entry["originalHeight"] as? Int)
            let dilate = try #require(entry["dilate"] as? Bool)
            let expected = try #require(entry["quads"] as? [[[Double]]])
            let scores = try #require(entry["scores"] as? [Double])
            let regions = try DBPostprocessor(dilate: dilate).regions(probability: probability, originalWidth: width, originalHeight: height)
            try #require(regions.count == 1)
            let got = regions[0].map { $0.quad.points.map { [Double($0.x), Double($0.y)] } }
            #expect(got == expected, "\(file) dilate \(dilate)")
            for (region, score) in zip(regions[0], scores) {
                #expect(abs(Double(region.score) - score) < 1e-4, "\(file): score \(region.score) vs \(score)")
            }
        }
    }

    @Test func findsOneRectanglePerBlobScaledToTheOriginal() throws {
        // Two separated bright bars on a 64×48 map; the original image is twice as large.
        var generator = SplitMix64(seed: 31)
        var values = (0..<(48 * 64)).map { _ in Float.random(in: 0.01...0.2, using: &generator) }
        for y in 10..<18 { for x in 8..<40 { values[y * 64 + x] = 0.9 } }
        for y in 30..<36 { for x in 20..<60 { values[y * 64 + x] = 0.8 } }
        let map = Tensor(shape: [1, 1, 48, 64], scalars: values)
        let regions = try DBPostprocessor().regions(probability: map, originalWidth: 128, originalHeight: 96)[0]
        #expect(regions.count == 2)
        #expect(regions.map(\.quad.points[0].y) == regions.map(\.quad.points[0].y).sorted())
        let first = regions[0].quad.boundingBox
        // The bar spans x 8…39, y 10…17 in the map: grown by the unclip distance, then doubled.
        #expect(first.x1 < 16 && first.x2 > 78 && first.y1 < 20 && first.y2 > 34)
        #expect(abs(regions[0].score - 0.9) < 0.01 && abs(regions[1].score - 0.8) < 0.01)
    }

    @Test func rejectsWrongShapes() {
        let map = Tensor(shape: [1, 2, 4, 4], scalars: [Float](repeating: 0.5, count: 32))
        #expect(throws: VisionError.self) { try DBPostprocessor().regions(probability: map, originalWidth: 8, originalHeight: 8) }
        let flat = Tensor(shape: [1, 1, 4, 4], scalars: [Float](repeating: 0.5, count: 16))
        #expect(throws: VisionError.self) { try DBPostprocessor().regions(probability: flat, originalWidth: 0, originalHeight: 8) }
    }
}
