/// How a letterboxed image maps back to the original: `letterboxed = original * scale + pad`.
public struct LetterboxTransform: Sendable, Equatable {
    public var scale: Float
    public var padX: Float
    public var padY: Float

    public init(scale: Float, padX: Float, padY: Float) {
        self.scale = scale
        self.padX = padX
        self.padY = padY
    }

    /// A box in letterboxed (network input) pixels mapped back to original image pixels.
    public func toOriginal(_ box: Box) -> Box {
        Box(x1: (box.x1 - padX) / scale, y1: (box.y1 - padY) / scale,
            x2: (box.x2 - padX) / scale, y2: (box.y2 - padY) / scale)
    }

    /// A box mapped back and clipped to an original image of the given size.
    public func toOriginal(_ box: Box, clippedToWidth width: Int, height: Int) -> Box {
        let b = toOriginal(box)
        let w = Float(width), h = Float(height)
        return Box(x1: min(max(b.x1, 0), w), y1: min(max(b.y1, 0), h), x2: min(max(b.x2, 0), w), y2: min(max(b.y2, 0), h))
    }
}

extension Image {
    /// Ultralytics' `LetterBox` (auto=False, centre=True): scale to fit inside `width`×`height` keeping the
    /// aspect ratio (`r = min(W/w, H/h)`, new size `round(w*r)`×`round(h*r)`), resize bilinearly, and pad
    /// with `fill` evenly on both sides (`round(pad/2 ∓ 0.1)` pixels top/left and bottom/right).
    public func letterboxed(width targetWidth: Int, height targetHeight: Int, fill: UInt8 = 114) -> (image: Image, transform: LetterboxTransform) {
        precondition(targetWidth > 0 && targetHeight > 0, "letterbox to \(targetWidth)×\(targetHeight)")
        let r = min(Double(targetHeight) / Double(height), Double(targetWidth) / Double(width))
        let newWidth = max(1, Int((Double(width) * r).rounded(.toNearestOrEven)))
        let newHeight = max(1, Int((Double(height) * r).rounded(.toNearestOrEven)))
        let dw = Double(targetWidth - newWidth) / 2, dh = Double(targetHeight - newHeight) / 2
        let top = Int((dh - 0.1).rounded(.toNearestOrEven)), left = Int((dw - 0.1).rounded(.toNearestOrEven))
        let scaled = resized(width: newWidth, height: newHeight)
        let c = channels
        let out = scaled.pixels.withUnsafeBufferPointer { src in
            Image.filling(width: targetWidth, height: targetHeight, channels: c) { dst in
                dst.initialize(repeating: fill)
                let rowBytes = newWidth * c
                for y in 0..<newHeight {
                    let d = dst.baseAddress! + ((y + top) * targetWidth + left) * c
                    d.update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
                }
            }
        }
        return (out, LetterboxTransform(scale: Float(r), padX: Float(left), padY: Float(top)))
    }
}
