/// A point in pixel coordinates (x to the right, y down).
public struct Point: Sendable, Equatable {
    public var x: Float
    public var y: Float

    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}
