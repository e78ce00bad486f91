import Testing
import SwitchyardVision

@Suite struct ImageCropTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func matchesRapidOCRGetRotateCropImage() throws {
        let cases = try #require(try VisionFixtures.section("crop") as? [[String: Any]])
        #expect(cases.count >= 5)
        for entry in cases {
            let source = try VisionFixtures.image(try #require(entry["source"] as? String))
            let expected = try VisionFixtures.image(try #require(entry["expected"] as? String))
            let corners = try #require(entry["quad"] as? [[Double]])
            let quad = Quad(points: corners.map { Point(x: Float($0[0]), y: Float($0[1])) })
            let crop = source.cropped(to: quad)
            try #require(crop.width == expected.width && crop.height == expected.height,
                         "quad \(corners): \(crop.width)×\(crop.height), expected \(expected.width)×\(expected.height)")
            // OpenCV's bicubic warp reproduced in fixed point: equal up to rare ±1 from the homography's
            // last bits moving a 1/32-pixel sample position.
            let difference = pixelDifference(crop, expected)
            #expect(difference.max <= 1 && difference.count * 100 <= crop.pixels.count, "quad \(corners): \(difference)")
        }
    }

    @Test func uprightQuadCopiesThePixels() {
        let image = randomImage(width: 20, height: 12, channels: 3, seed: 21)
        let quad = Quad(points: [Point(x: 3, y: 2), Point(x: 13, y: 2), Point(x: 13, y: 8), Point(x: 3, y: 8)])
        let crop = image.cropped(to: quad)
        #expect(crop.width == 10 && crop.height == 6)
        for y in 0..<6 {
            for x in 0..<10 {
                for c in 0..<3 {
                    #expect(crop.pixels[(y * 10 + x) * 3 + c] == image.pixels[((y + 2) * 20 + x + 3) * 3 + c])
                }
            }
        }
    }

    @Test func tallQuadIsTurnedCounterClockwise() {
        let image = randomImage(width: 20, height: 40, channels: 1, seed: 22)
        let quad = Quad(points: [Point(x: 2, y: 2), Point(x: 8, y: 2), Point(x: 8, y: 32), Point(x: 2, y: 32)])
        let crop = image.cropped(to: quad)
        #expect(crop.width == 30 && crop.height == 6)
        // The crop's top-left is the source's top-right corner of the quad.
        #expect(crop.pixels[0] == image.pixels[2 * 20 + 7])
    }
}
