/// One detected object: a box in pixels, the class it belongs to and the class score.
public struct Detection: Sendable, Equatable {
    public var box: Box
    public var classIndex: Int
    public var score: Float

    public init(box: Box, classIndex: Int, score: Float) {
        self.box = box
        self.classIndex = classIndex
        self.score = score
    }
}

/// One detected text line: its quad in the original image and the detector's mean probability inside it.
public struct TextRegion: Sendable, Equatable {
    public var quad: Quad
    public var score: Float

    public init(quad: Quad, score: Float) {
        self.quad = quad
        self.score = score
    }
}
