/// How rapidocr orders and cleans detected text boxes (`TextDetector.filter_tag_det_res` and
/// `RapidOCR.sorted_boxes`).
enum TextRegionOrder {
    /// `order_points_clockwise` + `clip_det_res`: corners ordered [top-left, top-right, bottom-right,
    /// bottom-left] (the two left-most by x, each pair by y), each truncated into the image
    /// (`int(min(max(v, 0), size - 1))`); nil when the top or left edge is 3 pixels or shorter.
    static func clockwiseClipped(_ points: [Point], width: Int, height: Int) -> Quad? {
        let byX = stableSorted(points) { $0.x }
        let left = stableSorted(Array(byX.prefix(2))) { $0.y }, right = stableSorted(Array(byX.suffix(2))) { $0.y }
        let ordered = [left[0], right[0], right[1], left[1]].map { p in
            Point(x: min(max(p.x, 0), Float(width - 1)).rounded(.towardZero),
                  y: min(max(p.y, 0), Float(height - 1)).rounded(.towardZero))
        }
        func length(_ a: Point, _ b: Point) -> Int { Int(((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()) }
        guard length(ordered[0], ordered[1]) > 3, length(ordered[0], ordered[3]) > 3 else { return nil }
        return Quad(points: ordered)
    }

    /// `sorted_boxes`: by the top-left corner's (y, x), then boxes whose top-left y differ by less than
    /// 10 pixels are put left to right (one bubbling pass, as rapidocr does).
    static func sorted(_ regions: [TextRegion]) -> [TextRegion] {
        var boxes = regions.enumerated().sorted { a, b in
            let p = a.element.quad.points[0], q = b.element.quad.points[0]
            if p.y != q.y { return p.y < q.y }
            if p.x != q.x { return p.x < q.x }
            return a.offset < b.offset
        }.map(\.element)
        guard boxes.count > 1 else { return boxes }
        for i in 0..<(boxes.count - 1) {
            var j = i
            while j >= 0 {
                let next = boxes[j + 1].quad.points[0], current = boxes[j].quad.points[0]
                guard abs(next.y - current.y) < 10 && next.x < current.x else { break }
                boxes.swapAt(j, j + 1)
                j -= 1
            }
        }
        return boxes
    }

    private static func stableSorted(_ points: [Point], by key: (Point) -> Float) -> [Point] {
        points.enumerated().sorted { key($0.element) != key($1.element) ? key($0.element) < key($1.element) : $0.offset < $1.offset }.map(\.element)
    }
}
