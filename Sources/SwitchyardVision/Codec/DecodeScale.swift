/// How an image the decoder scaled down (libjpeg-turbo's DCT scaling) maps to the encoded original.
///
/// Decoding at `numerator`/`denominator` makes each decoded pixel cover exactly
/// `denominator`/`numerator` original pixels (a 1/8 decode turns each 8×8 block into one pixel),
/// so coordinates map by that one factor on both axes; only the last row and column may cover a
/// partial block, because each decoded dimension is rounded up (libjpeg-turbo's `TJSCALED`).
/// This type owns that mapping: anything that reports positions found in a scaled decode maps
/// them back with its `toOriginal` methods.
public struct DecodeScale: Sendable, Equatable {
    public var numerator: Int
    public var denominator: Int
    /// The encoded image's size.
    public var originalWidth: Int
    public var originalHeight: Int

    public init(numerator: Int, denominator: Int, originalWidth: Int, originalHeight: Int) {
        precondition(numerator > 0 && denominator > 0, "decode scale \(numerator)/\(denominator)")
        self.numerator = numerator
        self.denominator = denominator
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
    }

    /// A full-size decode of a `width`×`height` image.
    public static func unscaled(width: Int, height: Int) -> DecodeScale {
        DecodeScale(numerator: 1, denominator: 1, originalWidth: width, originalHeight: height)
    }

    /// The smallest of `factors` (`(numerator, denominator)` pairs; those above 1 are ignored)
    /// whose decode of a `width`×`height` image is still at least `minWidth`×`minHeight`; full
    /// size when none is (the image is already that small). When several factors give that same
    /// decoded size, the largest of them, as TurboJPEG picks the largest factor that fits a size.
    public static func smallest(decoding width: Int, _ height: Int, atLeast minWidth: Int, _ minHeight: Int,
                                among factors: [(numerator: Int, denominator: Int)]) -> DecodeScale {
        let candidates = ([(numerator: 1, denominator: 1)] + factors)
            .filter { $0.numerator > 0 && $0.numerator <= $0.denominator }
            .map { DecodeScale(numerator: $0.numerator, denominator: $0.denominator, originalWidth: width, originalHeight: height) }
            .sorted { $0.numerator * $1.denominator < $1.numerator * $0.denominator }
        let fitting = candidates.first { $0.decodedWidth >= minWidth && $0.decodedHeight >= minHeight } ?? candidates.last!
        return candidates.last { $0.decodedWidth == fitting.decodedWidth && $0.decodedHeight == fitting.decodedHeight }!
    }

    public var isUnscaled: Bool { numerator == denominator }

    /// Decoded pixels per original pixel.
    public var factor: Float { Float(numerator) / Float(denominator) }

    /// `dimension` scaled and rounded up, as libjpeg-turbo sizes its output (`TJSCALED`).
    public func scaled(_ dimension: Int) -> Int { (dimension * numerator + denominator - 1) / denominator }

    public var decodedWidth: Int { scaled(originalWidth) }
    public var decodedHeight: Int { scaled(originalHeight) }

    /// A point in decoded pixels in original pixels.
    public func toOriginal(_ point: Point) -> Point {
        Point(x: point.x / factor, y: point.y / factor)
    }

    /// A box in decoded pixels in original pixels, clipped to the original image (the rounded-up
    /// last row and column reach past it).
    public func toOriginal(_ box: Box) -> Box {
        let w = Float(originalWidth), h = Float(originalHeight), f = factor
        return Box(x1: min(box.x1 / f, w), y1: min(box.y1 / f, h), x2: min(box.x2 / f, w), y2: min(box.y2 / f, h))
    }

    /// A quad in decoded pixels in original pixels.
    public func toOriginal(_ quad: Quad) -> Quad {
        Quad(points: quad.points.map(toOriginal))
    }

    /// A point in original pixels in decoded pixels.
    public func toDecoded(_ point: Point) -> Point {
        Point(x: point.x * factor, y: point.y * factor)
    }

    /// A quad in original pixels in decoded pixels (to crop a region reported in original pixels).
    public func toDecoded(_ quad: Quad) -> Quad {
        Quad(points: quad.points.map(toDecoded))
    }
}
