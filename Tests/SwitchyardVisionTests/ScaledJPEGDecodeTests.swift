import Testing
import SwitchyardVision

/// `ImageCodec.decode(_:for:)`: JPEGs decoded at a reduced scale in libjpeg-turbo's IDCT.
@Suite struct ScaledJPEGDecodeTests {
    /// A smooth RGB test picture (gradients, a disc, a bar): what a camera frame looks like to a
    /// JPEG coder, unlike noise, whose scaled decode is no box average of its full decode.
    static func picture(width: Int, height: Int) throws -> Image {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(width), v = Double(y) / Double(height)
                let inDisc = (u - 0.35) * (u - 0.35) + (v - 0.5) * (v - 0.5) < 0.04
                let inBar = u > 0.65 && u < 0.8
                let r = inDisc ? 220 : 40 + 150 * u
                let g = inBar ? 200 : 60 + 120 * v
                let b = 128 + 90 * (u - v)
                pixels += [r, g, b].map { UInt8(max(0, min(255, $0.rounded()))) }
            }
        }
        return try Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// `image` shrunk by the integer `factor` with a box (area) filter; edge pixels average the
    /// partial block they cover, as libjpeg-turbo's rounded-up last row and column do.
    static func boxDownscaled(_ image: Image, by factor: Int) throws -> Image {
        let width = (image.width + factor - 1) / factor, height = (image.height + factor - 1) / factor
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let ys = (y * factor)..<min((y + 1) * factor, image.height)
                let xs = (x * factor)..<min((x + 1) * factor, image.width)
                for c in 0..<3 {
                    var sum = 0
                    for sy in ys { for sx in xs { sum += Int(image.pixels[(sy * image.width + sx) * 3 + c]) } }
                    pixels[(y * width + x) * 3 + c] = UInt8((Double(sum) / Double(ys.count * xs.count)).rounded())
                }
            }
        }
        return try Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    @Test("a scaled decode matches a full decode shrunk with a box filter", arguments: [2, 4, 8])
    func matchesBoxDownscale(factor: Int) throws {
        let jpeg = try ImageCodec.encodeJPEG(try Self.picture(width: 517, height: 389), quality: 95)
        let full = try ImageCodec.decode(jpeg)
        let minWidth = (517 + factor - 1) / factor, minHeight = (389 + factor - 1) / factor
        let (scaled, scale) = try ImageCodec.decode(jpeg, for: .cover(width: minWidth, height: minHeight))
        #expect(scale.numerator * factor == scale.denominator, "asked for 1/\(factor), got \(scale.numerator)/\(scale.denominator)")
        let reference = try Self.boxDownscaled(full, by: factor)
        #expect(scaled.width == reference.width && scaled.height == reference.height)
        let differences = zip(scaled.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(differences.reduce(0, +)) / Double(differences.count)
        // The IDCT truncates high frequencies rather than averaging exactly, and 4:2:0 chroma is
        // coarser: close on average, a few levels at the disc's and bar's edges.
        #expect(mean < 1.5, "1/\(factor): mean difference \(mean)")
        let large = differences.filter { $0 > 16 }.count
        #expect(Double(large) < 0.01 * Double(differences.count), "1/\(factor): \(large) bytes differ by more than 16")
    }

    @Test("the scale is the smallest that keeps both sides at least the size asked for")
    func choosesTheSmallestSufficientScale() throws {
        let factors = ImageCodec.jpegScalingFactors
        for denominator in [2, 4, 8] {
            #expect(factors.contains { $0.numerator == 1 && $0.denominator == denominator }, "1/\(denominator)")
        }
        // A 4K frame for a 320×320 letterbox: 1/8 is 480×270, too short; 1/4 is 960×540.
        let uhd = DecodeScale.smallest(decoding: 3840, 2160, atLeast: 320, 320, among: factors)
        #expect((uhd.numerator, uhd.denominator) == (1, 4) && uhd.decodedWidth == 960 && uhd.decodedHeight == 540)
        let wide = DecodeScale.smallest(decoding: 3840, 2160, atLeast: 320, 180, among: factors)
        #expect((wide.numerator, wide.denominator) == (1, 8) && wide.decodedWidth == 480 && wide.decodedHeight == 270)
        // Already smaller than asked (in one side): full size.
        #expect(DecodeScale.smallest(decoding: 200, 100, atLeast: 320, 320, among: factors).isUnscaled)
        #expect(DecodeScale.smallest(decoding: 4000, 300, atLeast: 320, 320, among: factors).isUnscaled)
        // Odd sizes round up (TJSCALED): 1001×601 at 1/8 is 126×76, not 125×75.
        let odd = DecodeScale.smallest(decoding: 1001, 601, atLeast: 126, 76, among: factors)
        #expect((odd.numerator, odd.denominator) == (1, 8) && odd.decodedWidth == 126 && odd.decodedHeight == 76)
        let oddNext = DecodeScale.smallest(decoding: 1001, 601, atLeast: 127, 76, among: factors)
        #expect((oddNext.numerator, oddNext.denominator) == (1, 4) && oddNext.decodedWidth == 251)
        // Factors that give the same size resolve to the largest, as TurboJPEG picks: 4×4 is 1×1 at 1/8 and 1/4.
        let tiny = DecodeScale.smallest(decoding: 4, 4, atLeast: 1, 1, among: factors)
        #expect((tiny.numerator, tiny.denominator) == (1, 4))
    }

    @Test("a letterbox target needs only the limiting side at the box's size")
    func fitTargets() {
        let box = DecodeTarget.fit(width: 320, height: 320)
        #expect(box.minimumSize(ofImage: 3840, 2160) == (320, 180))
        #expect(box.minimumSize(ofImage: 2160, 3840) == (180, 320))
        #expect(box.minimumSize(ofImage: 1001, 601) == (320, 193))  // 601 · 320 / 1001 = 192.1, rounded up
        #expect(box.minimumSize(ofImage: 200, 100) == (200, 100))   // smaller than the box: never upscaled
        #expect(DecodeTarget.fit(width: 640, height: 320).minimumSize(ofImage: 1280, 720) == (569, 320))
        #expect(DecodeTarget.cover(width: 320, height: 320).minimumSize(ofImage: 3840, 2160) == (320, 320))
        let factors = ImageCodec.jpegScalingFactors
        let uhd = box.minimumSize(ofImage: 3840, 2160)
        let scale = DecodeScale.smallest(decoding: 3840, 2160, atLeast: uhd.width, uhd.height, among: factors)
        #expect((scale.numerator, scale.denominator) == (1, 8))
    }

    @Test("for any size, no smaller scale would do and the chosen one does")
    func smallestOverManySizes() {
        let factors = ImageCodec.jpegScalingFactors.filter { $0.numerator <= $0.denominator }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let width = Int.random(in: 1...5000, using: &generator), height = Int.random(in: 1...5000, using: &generator)
            let minWidth = Int.random(in: 1...1200, using: &generator), minHeight = Int.random(in: 1...1200, using: &generator)
            let scale = DecodeScale.smallest(decoding: width, height, atLeast: minWidth, minHeight, among: factors)
            let fits = scale.decodedWidth >= minWidth && scale.decodedHeight >= minHeight
            #expect(fits || scale.isUnscaled, "\(width)×\(height) ≥ \(minWidth)×\(minHeight)")
            #expect(scale.decodedWidth == (width * scale.numerator + scale.denominator - 1) / scale.denominator)
            for (numerator, denominator) in factors where numerator * scale.denominator < scale.numerator * denominator {
                let smaller = DecodeScale(numerator: numerator, denominator: denominator, originalWidth: width, originalHeight: height)
                let smallerFits = smaller.decodedWidth >= minWidth && smaller.decodedHeight >= minHeight
                let sameSize = smaller.decodedWidth == scale.decodedWidth && smaller.decodedHeight == scale.decodedHeight
                #expect(!smallerFits || sameSize, "\(width)×\(height) ≥ \(minWidth)×\(minHeight): \(numerator)/\(denominator) would do")
            }
        }
    }

    @Test("the decoded size is libjpeg-turbo's rounded-up size; PNGs and small JPEGs decode at full size")
    func decodedSizes() throws {
        let jpeg = try ImageCodec.encodeJPEG(try Self.picture(width: 1001, height: 601), quality: 85)
        let (image, scale) = try ImageCodec.decode(jpeg, for: .cover(width: 126, height: 76))
        #expect(image.width == 126 && image.height == 76 && scale.originalWidth == 1001 && scale.originalHeight == 601)
        let (full, unscaled) = try ImageCodec.decode(jpeg, for: .cover(width: 2000, height: 10))
        #expect(full.width == 1001 && full.height == 601 && unscaled.isUnscaled)
        let png = try ImageCodec.encodePNG(try Self.picture(width: 640, height: 480))
        let (pngImage, pngScale) = try ImageCodec.decode(png, for: .cover(width: 80, height: 60))
        #expect(pngImage.width == 640 && pngImage.height == 480 && pngScale == .unscaled(width: 640, height: 480))
    }

    @Test("positions map between decoded and original pixels; boxes clip to the original")
    func mapsPositions() {
        let scale = DecodeScale(numerator: 1, denominator: 8, originalWidth: 1001, originalHeight: 601)
        // The last column (125) covers original pixels 1000…1007, of which only 1000 exists.
        #expect(scale.toOriginal(Box(x1: 10, y1: 5, x2: 126, y2: 76)) == Box(x1: 80, y1: 40, x2: 1001, y2: 601))
        let quad = Quad(points: [Point(x: 16, y: 8), Point(x: 800, y: 8), Point(x: 800, y: 400), Point(x: 16, y: 400)])
        #expect(scale.toDecoded(quad).points.first == Point(x: 2, y: 1))
        #expect(scale.toOriginal(scale.toDecoded(quad)) == quad)
    }
}
