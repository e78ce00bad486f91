import SwitchyardVision

/// `crop-regions`: fans a frame out into one item per region of `input` (default "regions"):
/// text regions (quads, cropped upright as PP-OCR does) or detections (boxes, with their label:
/// the class index or its name from `labels`). Each item holds the crop in `output` (default
/// "crop"); the whole image (`image`, default "image") and `input` are left out of it. Regions are
/// in the original image's pixels, also when `decode-image` decoded it at a reduced scale.
struct CropRegionsProcessor: PipelineProcessor {
    let input: String
    let image: String
    let output: String
    let labels: [String]

    init(options: ProcessorOptions) throws(PipelineError) {
        try options.rejectUnknown(allowed: ["input", "image", "output", "labels"])
        input = try options.inputName("regions")
        image = try options.string("image", default: "image")
        output = try options.outputName("crop")
        labels = try options.strings("labels", default: [])
    }

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        let page = try item.image(image)
        let scale = try item.decodeScale(of: image)
        let drop = [input, image]
        switch try item.value(input) {
        case .detections(let detections):
            return RegionFanOut.detections(detections, of: item, image: page, scale: scale, crop: output, labels: labels, dropping: drop)
        case .textRegions(let regions):
            return RegionFanOut.textRegions(regions, of: item, image: page, scale: scale, crop: output, dropping: drop)
        default:
            return RegionFanOut.textRegions(try item.textRegions(input), of: item, image: page, scale: scale, crop: output, dropping: drop)
        }
    }
}
