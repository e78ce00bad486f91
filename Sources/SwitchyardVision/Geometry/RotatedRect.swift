import Foundation

/// A rectangle at an angle, as OpenCV's `RotatedRect`: centre, size and angle in degrees.
struct RotatedRect {
    var centerX: Float
    var centerY: Float
    var width: Float
    var height: Float
    var angle: Float

    /// `cv2.minAreaRect`: the convex hull, then rotating calipers in single precision, reproducing
    /// OpenCV's arithmetic step by step (its float rounding decides where truncated corners land).
    static func minimumArea(of points: [GridPoint]) -> RotatedRect {
        let hull = ConvexHull.of(points).map { (x: Float($0.x), y: Float($0.y)) }
        switch hull.count {
        case 0:
            return RotatedRect(centerX: 0, centerY: 0, width: 0, height: 0, angle: 0)
        case 1:
            return RotatedRect(centerX: hull[0].x, centerY: hull[0].y, width: 0, height: 0, angle: 0)
        case 2:
            let dx = Double(hull[1].x - hull[0].x), dy = Double(hull[1].y - hull[0].y)
            let radians = Float(atan2(dy, dx))
            return RotatedRect(centerX: (hull[0].x + hull[1].x) * 0.5, centerY: (hull[0].y + hull[1].y) * 0.5,
                               width: Float((dx * dx + dy * dy).squareRoot()), height: 0,
                               angle: Float(Double(radians) * 180 / Double.pi))
        default:
            let out = rotatingCalipers(hull)
            let radians = Float(atan2(Double(out[3]), Double(out[2])))
            return RotatedRect(
                centerX: out[0] + (out[2] + out[4]) * 0.5, centerY: out[1] + (out[3] + out[5]) * 0.5,
                width: Float((Double(out[2]) * Double(out[2]) + Double(out[3]) * Double(out[3])).squareRoot()),
                height: Float((Double(out[4]) * Double(out[4]) + Double(out[5]) * Double(out[5])).squareRoot()),
                angle: Float(Double(radians) * 180 / Double.pi))
        }
    }

    /// `cv2.boxPoints`: the four corners, in OpenCV's order.
    var corners: [Point] {
        let radians = Double(angle) * Double.pi / 180
        let b = Float(cos(radians)) * 0.5, a = Float(sin(radians)) * 0.5
        let p0 = Point(x: centerX - a * height - b * width, y: centerY + b * height - a * width)
        let p1 = Point(x: centerX + a * height - b * width, y: centerY - b * height - a * width)
        return [p0, p1, Point(x: 2 * centerX - p0.x, y: 2 * centerY - p0.y), Point(x: 2 * centerX - p1.x, y: 2 * centerY - p1.y)]
    }

    /// OpenCV's `rotatingCalipers(CALIPERS_MINAREARECT)` on a convex polygon: returns a corner and the two
    /// edge vectors of the smallest-area enclosing rectangle, `[px, py, e1x, e1y, e2x, e2y]`.
    private static func rotatingCalipers(_ points: [(x: Float, y: Float)]) -> [Float] {
        let n = points.count
        var vx = [Float](repeating: 0, count: n), vy = vx, inverseLength = vx
        var left = 0, bottom = 0, right = 0, top = 0
        var leftX = points[0].x, rightX = points[0].x, topY = points[0].y, bottomY = points[0].y
        var p0 = points[0]
        for i in 0..<n {
            if p0.x < leftX { leftX = p0.x; left = i }
            if p0.x > rightX { rightX = p0.x; right = i }
            if p0.y > topY { topY = p0.y; top = i }
            if p0.y < bottomY { bottomY = p0.y; bottom = i }
            let p = points[i + 1 < n ? i + 1 : 0]
            let dx = Double(p.x) - Double(p0.x), dy = Double(p.y) - Double(p0.y)
            vx[i] = Float(dx)
            vy[i] = Float(dy)
            inverseLength[i] = Float(1 / (dx * dx + dy * dy).squareRoot())
            p0 = p
        }
        var orientation: Float = 0
        var ax = Double(vx[n - 1]), ay = Double(vy[n - 1])
        for i in 0..<n {
            let bx = Double(vx[i]), by = Double(vy[i])
            let convexity = ax * by - ay * bx
            if convexity != 0 {
                orientation = convexity > 0 ? 1 : -1
                break
            }
            ax = bx
            ay = by
        }
        var baseA = orientation, baseB: Float = 0
        var seq = [bottom, right, top, left]
        var minArea = Float.greatestFiniteMagnitude
        var best: (left: Int, a: Float, width: Float, b: Float, height: Float, bottom: Int) = (0, 1, 0, 0, 0, 0)
        for _ in 0..<n {
            let dp: [Float] = [
                baseA * vx[seq[0]] + baseB * vy[seq[0]],
                -baseB * vx[seq[1]] + baseA * vy[seq[1]],
                -baseA * vx[seq[2]] - baseB * vy[seq[2]],
                baseB * vx[seq[3]] - baseA * vy[seq[3]],
            ]
            var maxCos = dp[0] * inverseLength[seq[0]]
            var main = 0
            for i in 1..<4 {
                let cosAlpha = dp[i] * inverseLength[seq[i]]
                if cosAlpha > maxCos { main = i; maxCos = cosAlpha }
            }
            let lead = seq[main]
            let leadX = vx[lead] * inverseLength[lead], leadY = vy[lead] * inverseLength[lead]
            switch main {
            case 0: baseA = leadX; baseB = leadY
            case 1: baseA = leadY; baseB = -leadX
            case 2: baseA = -leadX; baseB = -leadY
            default: baseA = -leadY; baseB = leadX
            }
            seq[main] = seq[main] + 1 == n ? 0 : seq[main] + 1
            var dx = points[seq[1]].x - points[seq[3]].x
            var dy = points[seq[1]].y - points[seq[3]].y
            let width = dx * baseA + dy * baseB
            dx = points[seq[2]].x - points[seq[0]].x
            dy = points[seq[2]].y - points[seq[0]].y
            let height = -dx * baseB + dy * baseA
            let area = width * height
            if area <= minArea {
                minArea = area
                best = (seq[3], baseA, width, baseB, height, seq[0])
            }
        }
        let a1 = best.a, b1 = best.b, a2 = -best.b, b2 = best.a
        let c1 = a1 * points[best.left].x + points[best.left].y * b1
        let c2 = a2 * points[best.bottom].x + points[best.bottom].y * b2
        let inverseDeterminant = 1 / (a1 * b2 - a2 * b1)
        let px = (c1 * b2 - c2 * b1) * inverseDeterminant
        let py = (a1 * c2 - a2 * c1) * inverseDeterminant
        return [px, py, a1 * best.width, b1 * best.width, a2 * best.height, b2 * best.height]
    }
}
