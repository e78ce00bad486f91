/// What a scaled decode (`ImageCodec.decode(_:for:)`) must keep of the image, given the stage that
/// shrinks it next.
public enum DecodeTarget: Sendable, Equatable {
    /// At least `width`×`height` on both sides: a resize or crop to that size follows.
    case cover(width: Int, height: Int)
    /// Enough to fill a `width`×`height` letterbox: the image scaled by the smaller of the two
    /// ratios (never up), so only its limiting side needs the box's size. A 16:9 frame for a
    /// 320×320 letterbox needs 320×180, not 320×320.
    case fit(width: Int, height: Int)

    /// The smallest decoded size that serves this target for a `width`×`height` image (rounded up).
    public func minimumSize(ofImage width: Int, _ height: Int) -> (width: Int, height: Int) {
        switch self {
        case .cover(let boxWidth, let boxHeight):
            return (boxWidth, boxHeight)
        case .fit(let boxWidth, let boxHeight):
            guard width > 0, height > 0 else { return (boxWidth, boxHeight) }
            // Width limits when boxWidth / width ≤ boxHeight / height.
            if boxWidth * height <= boxHeight * width {
                return boxWidth >= width ? (width, height) : (boxWidth, (height * boxWidth + width - 1) / width)
            }
            return boxHeight >= height ? (width, height) : ((width * boxHeight + height - 1) / height, boxHeight)
        }
    }
}
