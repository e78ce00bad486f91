import Foundation

/// Clipper 6.4's `ClipperOffset` (what pyclipper runs) for one closed polygon with round joins, arc
/// tolerance 0.25: the vertices are truncated to integers as pyclipper does, each edge moves out by
/// `delta` along its normal and each convex corner gets an arc of integer points. Used by DB
/// post-processing to grow ("unclip") a text box.
enum PolygonOffset {
    static func rounded(_ polygon: [Point], delta: Double) -> [GridPoint] {
        // pyclipper converts coordinates to integers by truncation.
        var path: [(x: Int64, y: Int64)] = []
        for p in polygon {
            let point = (x: Int64(p.x.rounded(.towardZero)), y: Int64(p.y.rounded(.towardZero)))
            if path.last.map({ $0 != point }) ?? true { path.append(point) }
        }
        while path.count > 1 && path[0] == path[path.count - 1] { path.removeLast() }
        guard path.count >= 3 else { return [] }
        if area(path) < 0 { path.reverse() }
        if abs(delta) < 1e-20 { return path.map { GridPoint(x: Int32($0.x), y: Int32($0.y)) } }

        let arcTolerance = 0.25
        let y = arcTolerance > abs(delta) * 0.25 ? abs(delta) * 0.25 : arcTolerance
        var steps = Double.pi / acos(1 - y / abs(delta))
        if steps > abs(delta) * Double.pi { steps = abs(delta) * Double.pi }
        var sinStep = sin(2 * Double.pi / steps)
        let cosStep = cos(2 * Double.pi / steps)
        let stepsPerRadian = steps / (2 * Double.pi)
        if delta < 0 { sinStep = -sinStep }

        let n = path.count
        let normals: [(x: Double, y: Double)] = (0..<n).map { j in unitNormal(path[j], path[(j + 1) % n]) }
        var out: [GridPoint] = []
        func emit(_ x: Double, _ y: Double) { out.append(GridPoint(x: Int32(clipperRound(x)), y: Int32(clipperRound(y)))) }
        var k = n - 1
        for j in 0..<n {
            let src = (x: Double(path[j].x), y: Double(path[j].y))
            var sinA = normals[k].x * normals[j].y - normals[j].x * normals[k].y
            if abs(sinA * delta) < 1 {
                let cosA = normals[k].x * normals[j].x + normals[j].y * normals[k].y
                if cosA > 0 {  // Nearly straight: one point, and (as in Clipper) k stays.
                    emit(src.x + normals[k].x * delta, src.y + normals[k].y * delta)
                    continue
                }
            } else if sinA > 1 {
                sinA = 1
            } else if sinA < -1 {
                sinA = -1
            }
            if sinA * delta < 0 {
                emit(src.x + normals[k].x * delta, src.y + normals[k].y * delta)
                out.append(GridPoint(x: Int32(path[j].x), y: Int32(path[j].y)))
                emit(src.x + normals[j].x * delta, src.y + normals[j].y * delta)
            } else {
                let angle = atan2(sinA, normals[k].x * normals[j].x + normals[k].y * normals[j].y)
                let arcSteps = max(Int(clipperRound(stepsPerRadian * abs(angle))), 1)
                var x = normals[k].x, yy = normals[k].y
                for _ in 0..<arcSteps {
                    emit(src.x + x * delta, src.y + yy * delta)
                    let x2 = x
                    x = x * cosStep - sinStep * yy
                    yy = x2 * sinStep + yy * cosStep
                }
                emit(src.x + normals[j].x * delta, src.y + normals[j].y * delta)
            }
            k = j
        }
        return out
    }

    /// Clipper's `Round`: halves away from zero.
    private static func clipperRound(_ value: Double) -> Int64 {
        value < 0 ? Int64(value - 0.5) : Int64(value + 0.5)
    }

    private static func area(_ path: [(x: Int64, y: Int64)]) -> Double {
        var a = 0.0
        var j = path.count - 1
        for i in path.indices {
            a += (Double(path[j].x) + Double(path[i].x)) * (Double(path[j].y) - Double(path[i].y))
            j = i
        }
        return -a * 0.5
    }

    private static func unitNormal(_ a: (x: Int64, y: Int64), _ b: (x: Int64, y: Int64)) -> (x: Double, y: Double) {
        var dx = Double(b.x - a.x), dy = Double(b.y - a.y)
        if dx == 0 && dy == 0 { return (0, 0) }
        let f = 1 / (dx * dx + dy * dy).squareRoot()
        dx *= f
        dy *= f
        return (dy, -dx)
    }
}
