import SwitchyardVision

/// `ocr-cls-preprocess`: a text line crop (`input`, default "crop") → the PP-OCR direction
/// classifier's input (`output`, default "tensor"): `[1, 3, height, width]` (48×192), the line
/// resized to `height` rows and `min(width, ceil(height * w / h))` columns, `(x / 255 - 0.5) / 0.5`,
/// zeros to the right, channels in `channel_order` (default bgr) — rapidocr's resize_norm_img.
struct OCRClsPreprocessProcessor: PipelineProcessor {
    let input: String
    let output: String
    let height: Int
    let width: Int
    let channelOrder: ChannelOrder

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "height", "width", "channel_order"])
        input = try options.inputName("crop")
        output = try options.outputName("tensor")
        height = try options.positiveInt("height", default: 48)
        width = try options.positiveInt("width", default: 192)
        channelOrder = try options.channelOrder(default: .bgr)
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let line = channelOrder.apply(to: try item.image(input))
        var next = item
        next[output] = .tensor(line.ppocrTextLineTensor(height: height, width: width))
        return [next]
    }
}
