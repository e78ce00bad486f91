import SwitchyardVision

/// `resize`: an image (`input`, default "image") resized to `width`×`height` with bilinear
/// interpolation (OpenCV's INTER_LINEAR) into `output` (default: the input's name).
struct ResizeProcessor: PipelineProcessor {
    let input: String
    let output: String
    let width: Int
    let height: Int

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "width", "height"])
        input = try options.inputName("image")
        output = try options.outputName(input)
        width = try options.positiveInt("width")
        height = try options.positiveInt("height")
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        var next = item
        next[output] = .image(try item.image(input).resized(width: width, height: height))
        // A decode scale under the output's name described the image this one replaces.
        next[PipelineItem.decodeScaleName(of: output)] = nil
        return [next]
    }
}
