/// An axis-aligned box by its corners, `x1 <= x2`, `y1 <= y2`, in pixels.
public struct Box: Sendable, Equatable {
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// A box from its centre and size (the YOLO head's encoding).
    public init(centerX: Float, centerY: Float, width: Float, height: Float) {
        self.init(x1: centerX - width / 2, y1: centerY - height / 2, x2: centerX + width / 2, y2: centerY + height / 2)
    }

    public var width: Float { x2 - x1 }
    public var height: Float { y2 - y1 }
    /// Zero for an empty or inverted box.
    public var area: Float { max(0, x2 - x1) * max(0, y2 - y1) }

    /// Intersection over union; 0 when the boxes do not overlap or both are empty.
    public func iou(_ other: Box) -> Float {
        let w = min(x2, other.x2) - max(x1, other.x1)
        let h = min(y2, other.y2) - max(y1, other.y1)
        guard w > 0, h > 0 else { return 0 }
        let intersection = w * h
        return intersection / (area + other.area - intersection)
    }
}
