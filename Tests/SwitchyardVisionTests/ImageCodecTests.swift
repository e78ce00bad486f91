import Foundation
import Testing
import SwitchyardVision

@Suite struct ImageCodecTests {
    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func decodesLikePillow() throws {
        let cases = try #require(try VisionFixtures.section("codec") as? [[String: Any]])
        #expect(cases.count >= 7)
        for entry in cases {
            let file = try #require(entry["file"] as? String)
            let decoded = try ImageCodec.decode(contentsOf: VisionFixtures.path(file))
            let expected = try VisionFixtures.image(try #require(entry["expected"] as? String))
            #expect(decoded.width == expected.width && decoded.height == expected.height && decoded.channels == 3, "\(file)")
            let difference = pixelDifference(decoded, expected)
            // PNG is lossless: exact. JPEG decoders may differ in IDCT rounding: within 2 levels.
            let tolerance = (entry["exact"] as? Bool) == true ? 0 : 2
            #expect(difference.max <= tolerance, "\(file): largest difference \(difference.max), \(difference.count) bytes differ")
        }
    }

    @Test func pngRoundTripsGrayAndRGB() throws {
        for channels in [1, 3] {
            let image = randomImage(width: 29, height: 17, channels: channels, seed: UInt64(channels))
            let bytes = try ImageCodec.encodePNG(image)
            #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            let decoded = try ImageCodec.decode(bytes)
            // Decoding always yields RGB: gray becomes three equal channels.
            let expected = channels == 3 ? image.pixels : image.pixels.flatMap { [$0, $0, $0] }
            #expect(decoded.pixels == expected && decoded.width == 29 && decoded.height == 17)
        }
    }

    @Test func rejectsEmptyUnknownCorruptAndTruncatedBytes() throws {
        let png = try ImageCodec.encodePNG(randomImage(width: 40, height: 30, channels: 3, seed: 9))
        var corrupt = png
        for i in stride(from: 40, to: corrupt.count, by: 7) { corrupt[i] ^= 0x5A }
        let inputs: [(String, [UInt8])] = [
            ("empty", []), ("text", Array("hello, world".utf8)), ("signature only", Array(png.prefix(8))),
            ("truncated png", Array(png.prefix(png.count / 2))), ("corrupt png", corrupt),
            ("jpeg signature only", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16]),
        ]
        for (label, bytes) in inputs {
            #expect(throws: VisionError.self, "\(label)") { try ImageCodec.decode(bytes) }
            do {
                _ = try ImageCodec.decode(bytes)
            } catch {
                guard case .undecodable(let message) = error else { Issue.record("\(label): \(error)"); continue }
                #expect(!message.isEmpty)
            }
        }
    }

    @Test(.enabled(if: VisionFixtures.available, VisionFixtures.missing))
    func rejectsTruncatedJPEG() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: VisionFixtures.path("codec/rgb.jpg"))))
        #expect(throws: VisionError.self) { try ImageCodec.decode(Array(bytes.prefix(bytes.count * 2 / 3))) }
    }

    @Test func namesTheMissingPath() {
        do {
            _ = try ImageCodec.decode(contentsOf: "/nonexistent/page.png")
            Issue.record("decoded a missing file")
        } catch {
            #expect(error.description.contains("/nonexistent/page.png"))
        }
    }
}
