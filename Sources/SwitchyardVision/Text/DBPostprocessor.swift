import SwitchyardTensor

/// Differentiable Binarization post-processing, as PaddleOCR's `DBPostProcess` in rapidocr-onnxruntime
/// 1.4.4 (`box_type` quad, `score_mode` fast), followed by its `filter_tag_det_res` and `sorted_boxes`:
///
/// 1. binarise the probability map (`p > threshold`; optionally dilate with a 2×2 kernel);
/// 2. trace every border (``ContourTracer``, as `cv2.findContours` RETR_LIST), at most `maxCandidates`;
/// 3. per border: the minimum-area rectangle, dropped if its short side is under `minSize`; its mean
///    probability, dropped below `boxThreshold`; grown by `area * unclipRatio / perimeter` with round
///    joins (Clipper), the minimum-area rectangle again, dropped if its short side is under `minSize + 2`;
/// 4. corners scaled to the original image and rounded, ordered clockwise from the top-left, clipped to
///    the image, dropped when an edge is 3 pixels or less; sorted top-to-bottom then left-to-right.
public struct DBPostprocessor: Sendable {
    public var threshold: Float
    public var boxThreshold: Float
    public var unclipRatio: Float
    public var maxCandidates: Int
    public var minSize: Float
    public var dilate: Bool

    /// rapidocr's configuration for PP-OCRv4 uses `dilate: true` (`use_dilation`); the others are its defaults.
    public init(threshold: Float = 0.3, boxThreshold: Float = 0.5, unclipRatio: Float = 1.6, maxCandidates: Int = 1000,
                minSize: Float = 3, dilate: Bool = false) {
        self.threshold = threshold
        self.boxThreshold = boxThreshold
        self.unclipRatio = unclipRatio
        self.maxCandidates = maxCandidates
        self.minSize = minSize
        self.dilate = dilate
    }

    /// Text regions per batch item of `probability` (`[N, 1, H, W]`, the detector's output), with quads in
    /// the pixels of an original image of `originalWidth`×`originalHeight`.
    public func regions(probability: Tensor, originalWidth: Int, originalHeight: Int) throws(VisionError) -> [[TextRegion]] {
        guard probability.rank == 4, probability.shape[1] == 1, probability.shape[2] > 0, probability.shape[3] > 0 else {
            throw .invalidArgument("DB probability map: expected shape [N, 1, H, W], got \(probability.shape)")
        }
        guard originalWidth > 0, originalHeight > 0 else {
            throw .invalidArgument("DB post-processing: original image size \(originalWidth)×\(originalHeight) must be positive")
        }
        let map = try floatTensor(probability, role: "DB probability map")
        let height = probability.shape[2], width = probability.shape[3], plane = width * height
        return map.withUnsafeBufferPointer(of: Float.self) { values in
            (0..<probability.shape[0]).map { n in
                let item = UnsafeBufferPointer(rebasing: values[(n * plane)..<((n + 1) * plane)])
                let regions = boxes(item, width: width, height: height, originalWidth: originalWidth, originalHeight: originalHeight)
                return TextRegionOrder.sorted(regions)
            }
        }
    }

    private func boxes(_ map: UnsafeBufferPointer<Float>, width: Int, height: Int, originalWidth: Int, originalHeight: Int) -> [TextRegion] {
        var mask = map.map { $0 > threshold ? UInt8(1) : 0 }
        if dilate { mask = Self.dilated(mask, width: width, height: height) }
        var regions: [TextRegion] = []
        for contour in ContourTracer.contours(mask: mask, width: width, height: height).prefix(maxCandidates) {
            let (box, shortSide) = Self.miniBox(RotatedRect.minimumArea(of: contour))
            guard shortSide >= minSize else { continue }
            let score = PolygonMean.of(box, in: map, width: width, height: height)
            guard Double(boxThreshold) <= score else { continue }
            let grown = PolygonOffset.rounded(box, delta: unclipDistance(box))
            guard !grown.isEmpty else { continue }
            let (expanded, expandedShortSide) = Self.miniBox(RotatedRect.minimumArea(of: grown))
            guard expandedShortSide >= minSize + 2 else { continue }
            let scaled = expanded.map { p in
                Point(x: Self.scale(p.x, from: width, to: originalWidth), y: Self.scale(p.y, from: height, to: originalHeight))
            }
            if let quad = TextRegionOrder.clockwiseClipped(scaled, width: originalWidth, height: originalHeight) {
                regions.append(TextRegion(quad: quad, score: Float(score)))
            }
        }
        return regions
    }

    /// shapely's area and length of the box, in double precision: the offset distance.
    private func unclipDistance(_ box: [Point]) -> Double {
        var area = 0.0, length = 0.0
        for i in box.indices {
            let a = box[i], b = box[(i + 1) % box.count]
            area += Double(a.x) * Double(b.y) - Double(b.x) * Double(a.y)
            let dx = Double(b.x) - Double(a.x), dy = Double(b.y) - Double(a.y)
            length += (dx * dx + dy * dy).squareRoot()
        }
        return abs(area) / 2 * Double(unclipRatio) / length
    }

    /// rapidocr's `get_mini_boxes`: the rectangle's corners sorted by x, then the left pair and the
    /// right pair each ordered by y, giving [top-left, top-right, bottom-right, bottom-left]; and the
    /// short side.
    static func miniBox(_ rect: RotatedRect) -> (box: [Point], shortSide: Float) {
        let p = rect.corners.enumerated().sorted { $0.element.x != $1.element.x ? $0.element.x < $1.element.x : $0.offset < $1.offset }.map(\.element)
        let (first, fourth) = p[1].y > p[0].y ? (p[0], p[1]) : (p[1], p[0])
        let (second, third) = p[3].y > p[2].y ? (p[2], p[3]) : (p[3], p[2])
        return ([first, second, third, fourth], min(rect.width, rect.height))
    }

    /// `clip(round(v / size * original), 0, original)` in single precision, as NumPy computes it on float32.
    private static func scale(_ value: Float, from size: Int, to original: Int) -> Float {
        min(max((value / Float(size) * Float(original)).rounded(.toNearestOrEven), 0), Float(original))
    }

    /// `cv2.dilate` with a 2×2 kernel of ones (anchor at its centre): a pixel is set when it or its
    /// left, upper or upper-left neighbour is set.
    private static func dilated(_ mask: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out = mask
        for y in 0..<height {
            for x in 0..<width where out[y * width + x] == 0 {
                let left = x > 0 && mask[y * width + x - 1] != 0
                let up = y > 0 && mask[(y - 1) * width + x] != 0
                let upLeft = x > 0 && y > 0 && mask[(y - 1) * width + x - 1] != 0
                if left || up || upLeft { out[y * width + x] = 1 }
            }
        }
        return out
    }
}
