/// A quadrilateral text region: four corners, clockwise from the top-left
/// (top-left, top-right, bottom-right, bottom-left).
public struct Quad: Sendable, Equatable {
    public var points: [Point]

    public init(points: [Point]) {
        self.points = points
    }

    /// The axis-aligned box that holds the quad.
    public var boundingBox: Box {
        Box(x1: points.map(\.x).min() ?? 0, y1: points.map(\.y).min() ?? 0,
            x2: points.map(\.x).max() ?? 0, y2: points.map(\.y).max() ?? 0)
    }
}

extension Quad {
    /// The enclosed area (shoelace formula), whatever the winding.
    public var area: Float { Float(abs(Self.signedArea(points.map(Self.doubles)))) }

    /// Intersection over union with `other`, for convex quads (DB post-processing's are rectangles):
    /// `other` clipped to this quad edge by edge (Sutherland–Hodgman). 0 when either is degenerate.
    public func iou(_ other: Quad) -> Float {
        let clip = points.map(Self.doubles), subject = other.points.map(Self.doubles)
        let winding = Self.signedArea(clip), otherArea = abs(Self.signedArea(subject))
        guard abs(winding) > 0, otherArea > 0 else { return 0 }
        var polygon = subject
        for i in clip.indices where !polygon.isEmpty {
            let a = clip[i], b = clip[(i + 1) % clip.count]
            // Positive on the quad's inside, for either winding.
            func side(_ p: (x: Double, y: Double)) -> Double {
                ((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)) * (winding > 0 ? 1 : -1)
            }
            var clipped: [(x: Double, y: Double)] = []
            for j in polygon.indices {
                let p = polygon[j], q = polygon[(j + 1) % polygon.count]
                let sp = side(p), sq = side(q)
                if sp >= 0 { clipped.append(p) }
                if (sp >= 0) != (sq >= 0) {
                    let t = sp / (sp - sq)
                    clipped.append((p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)))
                }
            }
            polygon = clipped
        }
        let intersection = polygon.count < 3 ? 0 : abs(Self.signedArea(polygon))
        return Float(intersection / (abs(winding) + otherArea - intersection))
    }

    private static func doubles(_ point: Point) -> (x: Double, y: Double) { (Double(point.x), Double(point.y)) }

    private static func signedArea(_ polygon: [(x: Double, y: Double)]) -> Double {
        var twice = 0.0
        for i in polygon.indices {
            let a = polygon[i], b = polygon[(i + 1) % polygon.count]
            twice += a.x * b.y - b.x * a.y
        }
        return twice / 2
    }
}
