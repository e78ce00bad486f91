import SwitchyardVision

/// `normalize`: an image (`input`, default "image") → a Float32 tensor (`output`, default
/// "tensor") of `(pixel * scale - mean[c]) / std[c]`, in `layout` nchw (default) or nhwc, with
/// the channels in `channel_order` rgb (default) or bgr. `mean`/`std` hold one value per channel
/// or one for all (defaults 0 and 1); `scale` defaults to 1/255.
struct NormalizeProcessor: PipelineProcessor {
    let input: String
    let output: String
    let layout: TensorLayout
    let scale: Float
    let mean: [Float]
    let std: [Float]
    let channelOrder: ChannelOrder

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "output", "layout", "scale", "mean", "std", "channel_order"])
        input = try options.inputName("image")
        output = try options.outputName("tensor")
        layout = try options.choice("layout", of: ["nchw", "nhwc"], default: "nchw") == "nchw" ? .nchw : .nhwc
        scale = try options.float("scale", default: 1.0 / 255)
        mean = try options.floats("mean", default: [0])
        std = try options.floats("std", default: [1])
        channelOrder = try options.channelOrder(default: .rgb)
        for (key, values) in [("mean", mean), ("std", std)] where values.count != 1 && values.count != 3 {
            throw options.error(key, "give one value per channel (3) or one for all, got \(values.count)")
        }
        if std.contains(0) { throw options.error("std", "must not contain 0") }
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let image = channelOrder.apply(to: try item.image(input))
        var next = item
        next[output] = .tensor(image.tensor(layout: layout, scale: scale, mean: mean, std: std))
        return [next]
    }
}
