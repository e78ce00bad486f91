import Testing
import SwitchyardVision

@Suite struct ImageResizeTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func matchesOpenCVInterLinear() throws {
        let cases = try #require(try VisionFixtures.section("resize") as? [[String: Any]])
        #expect(cases.count >= 10)
        for entry in cases {
            let source = try VisionFixtures.image(try #require(entry["source"] as? String))
            let expected = try VisionFixtures.image(try #require(entry["expected"] as? String))
            let width = try #require(entry["width"] as? Int), height = try #require(entry["height"] as? Int)
            let resized = source.resized(width: width, height: height)
            #expect(resized.width == width && resized.height == height && resized.channels == source.channels)
            let difference = pixelDifference(resized, expected)
            #expect(difference.count == 0,
                    "\(source.width)×\(source.height)×\(source.channels) → \(width)×\(height): \(difference.count) bytes differ, by up to \(difference.max)")
        }
    }

    @Test func sameSizeIsUnchangedAndUniformStaysUniform() throws {
        let image = randomImage(width: 31, height: 23, channels: 3, seed: 4)
        #expect(image.resized(width: 31, height: 23) == image)
        let flat = try Image(width: 10, height: 10, channels: 1, pixels: Array(repeating: 77, count: 100))
        for (w, h) in [(3, 7), (25, 13), (5, 5), (40, 40)] {
            #expect(flat.resized(width: w, height: h).pixels.allSatisfy { $0 == 77 })
        }
    }
}

@Suite struct ImageLetterboxTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func matchesUltralyticsLetterBox() throws {
        let cases = try #require(try VisionFixtures.section("letterbox") as? [[String: Any]])
        for entry in cases {
            let source = try VisionFixtures.image(try #require(entry["source"] as? String))
            let expected = try VisionFixtures.image(try #require(entry["expected"] as? String))
            let (image, transform) = source.letterboxed(width: 320, height: 320)
            #expect(pixelDifference(image, expected).count == 0, "\(source.width)×\(source.height)")
            #expect(transform.padX == Float(try #require(entry["padX"] as? Int)))
            #expect(transform.padY == Float(try #require(entry["padY"] as? Int)))
            #expect(abs(transform.scale - Float(try #require(entry["scale"] as? Double))) < 1e-6)
        }
    }

    @Test func mapsBoxesBackToTheOriginal() {
        let image = randomImage(width: 200, height: 100, channels: 3, seed: 5)
        let (boxed, transform) = image.letterboxed(width: 64, height: 64)
        #expect(boxed.width == 64 && boxed.height == 64)
        #expect(transform == LetterboxTransform(scale: 0.32, padX: 0, padY: 16))
        let back = transform.toOriginal(Box(x1: 0, y1: 16, x2: 64, y2: 48))
        #expect(abs(back.x1) < 1e-4 && abs(back.y1) < 1e-4 && abs(back.x2 - 200) < 1e-3 && abs(back.y2 - 100) < 1e-3)
        // Padding rows carry the fill value.
        #expect(boxed.pixels[0..<(64 * 3 * 16)].allSatisfy { $0 == 114 })
    }
}
