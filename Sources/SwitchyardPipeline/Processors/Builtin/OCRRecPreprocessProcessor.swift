import SwitchyardVision

/// `ocr-rec-preprocess`: a text line crop (`input`, default "crop") → the PP-OCR recognizer's
/// input (`output`, default "tensor"): `[1, 3, height, W]` with W = int(height * max(min_width /
/// height, w / h)) — what rapidocr pads the line to when it is the widest of its batch — the line
/// resized to `height` rows, `(x / 255 - 0.5) / 0.5`, zeros to the right, channels in
/// `channel_order` (default bgr).
///
/// When the item has "rec_width" (set by `db-postprocess`: the width rapidocr pads this line to
/// among the lines of its page) W is that, so the text matches rapidocr's even where the padding
/// changes it. `width_step: N` pads W further, up to a multiple of N, so lines of similar length share a
/// shape and the model's dynamic batcher can batch them (rapidocr pads every line of a batch to
/// its widest one in the same way); the default 1 pads nothing.
struct OCRRecPreprocessProcessor: PipelineProcessor {
    let input: String
    let output: String
    let height: Int
    let minWidth: Int
    let widthStep: Int
    let channelOrder: ChannelOrder

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "height", "min_width", "width_step", "channel_order"])
        input = try options.inputName("crop")
        output = try options.outputName("tensor")
        height = try options.positiveInt("height", default: 48)
        minWidth = try options.positiveInt("min_width", default: 320)
        widthStep = try options.positiveInt("width_step", default: 1)
        channelOrder = try options.channelOrder(default: .bgr)
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let line = channelOrder.apply(to: try item.image(input))
        var width = PPOCRInput.recognitionWidth(for: line, height: height, minWidth: minWidth)
        if item["rec_width"] != nil { width = max(width, Int(try item.number("rec_width"))) }
        let padded = (width + widthStep - 1) / widthStep * widthStep
        var next = item
        next[output] = .tensor(line.ppocrTextLineTensor(height: height, width: padded))
        return [next]
    }
}
