/// The mean of a probability map inside a convex polygon, as rapidocr's `box_score_fast`: the polygon's
/// bounding box (floor/ceil, clipped to the map), its corners truncated to integers relative to that
/// box, rasterised like OpenCV's `fillPoly` (8-connected edge lines clipped to the mask, plus scanline
/// spans between edges at 16-bit fixed point, left end rounded up, right end down), then the average
/// of the covered values.
enum PolygonMean {
    static func of(_ polygon: [Point], in map: UnsafeBufferPointer<Float>, width: Int, height: Int) -> Double {
        let xs = polygon.map(\.x), ys = polygon.map(\.y)
        let xMin = min(max(Int(xs.min()!.rounded(.down)), 0), width - 1)
        let xMax = min(max(Int(xs.max()!.rounded(.up)), 0), width - 1)
        let yMin = min(max(Int(ys.min()!.rounded(.down)), 0), height - 1)
        let yMax = min(max(Int(ys.max()!.rounded(.up)), 0), height - 1)
        let maskWidth = xMax - xMin + 1, maskHeight = yMax - yMin + 1
        let corners = polygon.map {
            (x: Int(($0.x - Float(xMin)).rounded(.towardZero)), y: Int(($0.y - Float(yMin)).rounded(.towardZero)))
        }
        var mask = [Bool](repeating: false, count: maskWidth * maskHeight)
        func set(_ x: Int, _ y: Int) {
            if x >= 0 && x < maskWidth && y >= 0 && y < maskHeight { mask[y * maskWidth + x] = true }
        }
        // Edges and their outlines.
        var edges: [(y0: Int, y1: Int, x: Int64, dx: Int64)] = []
        for i in corners.indices {
            let a = corners[(i + corners.count - 1) % corners.count], b = corners[i]
            if let (p, q) = clipped(a, b, width: maskWidth, height: maskHeight) { drawLine(from: p, to: q, set) }
            guard a.y != b.y else { continue }
            let ax = Int64(a.x) << 16, bx = Int64(b.x) << 16
            let dx = (bx - ax) / Int64(b.y - a.y)
            edges.append(a.y < b.y ? (a.y, b.y, ax, dx) : (b.y, a.y, bx, dx))
        }
        // Spans between pairs of active edges.
        if edges.count >= 2 {
            let top = max(edges.map(\.y0).min()!, 0), bottom = min(edges.map(\.y1).max()!, maskHeight)
            if top < bottom {
                for y in top..<bottom {
                    let crossings = edges.filter { $0.y0 <= y && y < $0.y1 }.map { $0.x + Int64(y - $0.y0) * $0.dx }.sorted()
                    var i = 0
                    while i + 1 < crossings.count {
                        let x1 = Int((crossings[i] + 0xFFFF) >> 16), x2 = Int(crossings[i + 1] >> 16)
                        if x1 < maskWidth && x2 >= 0 {
                            for x in max(x1, 0)...min(x2, maskWidth - 1) { mask[y * maskWidth + x] = true }
                        }
                        i += 2
                    }
                }
            }
        }
        var sum = 0.0, count = 0
        for y in 0..<maskHeight {
            for x in 0..<maskWidth where mask[y * maskWidth + x] {
                sum += Double(map[(y + yMin) * width + x + xMin])
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : 0
    }

    /// OpenCV's `clipLine`: the segment cut to the mask, endpoints moved along it with truncating
    /// arithmetic; nil when it misses the mask.
    private static func clipped(_ a: (x: Int, y: Int), _ b: (x: Int, y: Int), width: Int, height: Int) -> ((x: Int, y: Int), (x: Int, y: Int))? {
        var (x1, y1, x2, y2) = (a.x, a.y, b.x, b.y)
        let right = width - 1, bottom = height - 1
        func code(_ x: Int, _ y: Int) -> Int { (x < 0 ? 1 : 0) + (x > right ? 2 : 0) + (y < 0 ? 4 : 0) + (y > bottom ? 8 : 0) }
        var c1 = code(x1, y1), c2 = code(x2, y2)
        if c1 & c2 == 0 && c1 | c2 != 0 {
            if c1 & 12 != 0 {
                let edge = c1 < 8 ? 0 : bottom
                x1 += Int(Double(edge - y1) * Double(x2 - x1) / Double(y2 - y1))
                y1 = edge
                c1 = code(x1, 0) & 3
            }
            if c2 & 12 != 0 {
                let edge = c2 < 8 ? 0 : bottom
                x2 += Int(Double(edge - y2) * Double(x2 - x1) / Double(y2 - y1))
                y2 = edge
                c2 = code(x2, 0) & 3
            }
            if c1 & c2 == 0 && c1 | c2 != 0 {
                if c1 != 0 {
                    let edge = c1 == 1 ? 0 : right
                    y1 += Int(Double(edge - x1) * Double(y2 - y1) / Double(x2 - x1))
                    x1 = edge
                    c1 = 0
                }
                if c2 != 0 {
                    let edge = c2 == 1 ? 0 : right
                    y2 += Int(Double(edge - x2) * Double(y2 - y1) / Double(x2 - x1))
                    x2 = edge
                    c2 = 0
                }
            }
        }
        guard c1 | c2 == 0 else { return nil }
        return ((x: x1, y: y1), (x: x2, y: y2))
    }

    /// OpenCV's 8-connected `LineIterator` (drawn left to right).
    private static func drawLine(from a: (x: Int, y: Int), to b: (x: Int, y: Int), _ set: (Int, Int) -> Void) {
        var (start, end) = (a, b)
        if end.x < start.x { swap(&start, &end) }
        var dx = end.x - start.x, dy = end.y - start.y
        let yStep = dy < 0 ? -1 : 1
        dy = abs(dy)
        let steep = dy > dx
        if steep { swap(&dx, &dy) }
        var error = dx - 2 * dy
        var x = start.x, y = start.y
        for _ in 0...dx {
            set(x, y)
            let minor = error < 0
            error += -2 * dy + (minor ? 2 * dx : 0)
            if steep {
                y += yStep
                if minor { x += 1 }
            } else {
                x += 1
                if minor { y += yStep }
            }
        }
    }
}
