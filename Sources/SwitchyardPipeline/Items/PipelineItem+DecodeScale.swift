import SwitchyardVision

/// Where an item keeps the decode scale of a reduced-size decode: beside the image it describes,
/// under the image's name + "_scale" ("image" → "image_scale"). Processors that report positions
/// found in that image map them back with it, so events are in the original image's pixels.
extension PipelineItem {
    /// The name of the value that holds the decode scale of the image called `image`.
    public static func decodeScaleName(of image: String) -> String { "\(image)_scale" }

    /// The decode scale of the image called `image`, or nil when it was decoded at full size.
    public func decodeScale(of image: String) throws(PipelineError) -> DecodeScale? {
        let name = Self.decodeScaleName(of: image)
        return values[name] == nil ? nil : try decodeScale(name)
    }
}
