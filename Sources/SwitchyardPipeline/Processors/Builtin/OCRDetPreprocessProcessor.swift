import SwitchyardVision

/// `ocr-det-preprocess`: rapidocr's `DetPreProcess` for the PP-OCR text detector. The image
/// (`input`, default "image") is resized so its short side reaches `limit_side_len` (736;
/// `limit_type: max` bounds the long side instead), each side rounded to a multiple of 32, and
/// normalised to `(x / 255 - mean) / std` (0.5, 0.5) as a `[1, 3, H, W]` tensor in `output`
/// (default "tensor"), channels in `channel_order` (default bgr, as PP-OCR was trained). The
/// original image stays in the item for cropping.
struct OCRDetPreprocessProcessor: PipelineProcessor {
    let stage: String
    let input: String
    let output: String
    let limit: PPOCRDetectionLimit
    let mean: [Float]
    let std: [Float]
    let channelOrder: ChannelOrder

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "limit_side_len", "limit_type", "mean", "std", "channel_order"])
        stage = options.stage
        input = try options.inputName("image")
        output = try options.outputName("tensor")
        let side = try options.positiveInt("limit_side_len", default: 736)
        limit = try options.choice("limit_type", of: ["min", "max"], default: "min") == "min" ? .minSide(side) : .maxSide(side)
        mean = try options.floats("mean", default: [0.5])
        std = try options.floats("std", default: [0.5])
        channelOrder = try options.channelOrder(default: .bgr)
        if std.contains(0) { throw options.error("std", "must not contain 0") }
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let image = try item.image(input)
        guard let size = image.ppocrDetectionSize(limit) else {
            throw PipelineError(stage: stage, item: item, "image \(image.width)×\(image.height) is too small for the text detector (a side rounds to 0 at multiples of 32)")
        }
        let resized = channelOrder.apply(to: image.resized(width: size.width, height: size.height))
        var next = item
        next[output] = .tensor(resized.tensor(layout: .nchw, scale: 1.0 / 255, mean: mean, std: std))
        return [next]
    }
}
