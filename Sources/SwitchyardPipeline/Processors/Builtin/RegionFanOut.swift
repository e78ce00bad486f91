import SwitchyardVision

/// The fan-out `db-postprocess` and `crop-regions` share: one item per region of a frame, each
/// with its region's crop of the frame's image, in the regions' order (region index = position).
/// Regions are in the original image's pixels; `scale` (when the image was decoded at a reduced
/// scale) maps them into the image to crop.
enum RegionFanOut {
    /// One item per text region: "quad" (the region, in image pixels), `crop` (the upright crop,
    /// PP-OCR's get_rotate_crop_image: `Image.cropped(to:)`) and "region_score"; the values in
    /// `dropping` (the whole image, the detector's tensors) are left out so each item stays small.
    ///
    /// With `recognitionBatch` > 0 each item also gets "rec_width": the width rapidocr pads the
    /// line to in its recognizer batch of that size (`PPOCRInput.recognitionWidths`), which
    /// `ocr-rec-preprocess` uses so the pipeline reads each line exactly as rapidocr does.
    static func textRegions(_ regions: [TextRegion], of item: PipelineItem, image: Image, scale: DecodeScale?, crop: String,
                            dropping: [String], recognitionBatch: Int = 0) -> [PipelineItem] {
        var base = item
        for name in dropping { base[name] = nil }
        let crops = regions.map { image.cropped(to: scale?.toDecoded($0.quad) ?? $0.quad) }
        let widths = recognitionBatch > 0
            ? PPOCRInput.recognitionWidths(forLines: crops.map { ($0.width, $0.height) }, batchSize: recognitionBatch)
            : []
        return regions.enumerated().map { index, region in
            var values: [String: PipelineValue] = [
                "quad": .quad(region.quad),
                crop: .image(crops[index]),
                "region_score": .number(Double(region.score)),
            ]
            if !widths.isEmpty { values["rec_width"] = .number(Double(widths[index])) }
            return base.region(index, adding: values)
        }
    }

    /// One item per detection: "box", "label" (the class index, or its name from `labels`, with
    /// the detection's score) and `crop` (the box's pixels).
    static func detections(_ detections: [Detection], of item: PipelineItem, image: Image, scale: DecodeScale?, crop: String,
                           labels: [String], dropping: [String]) -> [PipelineItem] {
        var base = item
        for name in dropping { base[name] = nil }
        return detections.enumerated().map { index, detection in
            let box = detection.box
            let quad = Quad(points: [Point(x: box.x1, y: box.y1), Point(x: box.x2, y: box.y1),
                                     Point(x: box.x2, y: box.y2), Point(x: box.x1, y: box.y2)])
            let name = labels.indices.contains(detection.classIndex) ? labels[detection.classIndex] : String(detection.classIndex)
            return base.region(index, adding: [
                "box": .box(box),
                "label": .label(name, score: detection.score),
                crop: .image(image.cropped(to: scale?.toDecoded(quad) ?? quad)),
            ])
        }
    }
}
