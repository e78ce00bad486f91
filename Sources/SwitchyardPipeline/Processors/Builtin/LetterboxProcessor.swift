import SwitchyardVision

/// `letterbox`: an image (`input`, default "image") scaled to fit `width`×`height` keeping its
/// aspect ratio and centred on a `fill` background (Ultralytics' letterbox) into `output`
/// (default "letterboxed"); the transform back to the original goes into "letterbox" so
/// `yolo-decode` can map boxes back. The original image stays under its own name.
struct LetterboxProcessor: PipelineProcessor {
    let input: String
    let output: String
    let width: Int
    let height: Int
    let fill: UInt8

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "width", "height", "fill"])
        input = try options.inputName("image")
        output = try options.outputName("letterboxed")
        width = try options.positiveInt("width")
        height = try options.positiveInt("height")
        let fillValue = try options.int("fill", default: 114)
        guard (0...255).contains(fillValue) else { throw options.error("fill", "must be a byte value 0…255, got \(fillValue)") }
        fill = UInt8(fillValue)
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let (image, transform) = try item.image(input).letterboxed(width: width, height: height, fill: fill)
        var next = item
        next[output] = .image(image)
        next["letterbox"] = .letterbox(transform)
        return [next]
    }
}
