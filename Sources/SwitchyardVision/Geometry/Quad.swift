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
