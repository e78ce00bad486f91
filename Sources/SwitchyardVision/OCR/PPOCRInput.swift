/// The widths rapidocr-onnxruntime 1.4.4 pads text lines to before the PP-OCR recognizer
/// (`TextRecognizer.__call__`): the piece of its pre-processing that depends on the other lines of
/// the page, not only on the line (the tensor itself: `Image.ppocrTextLineTensor`).
public enum PPOCRInput {
    /// The padded recognizer width of a line batched alone: `int(height * max(minWidth / height, w / h))`.
    public static func recognitionWidth(for line: Image, height: Int = 48, minWidth: Int = 320) -> Int {
        let ratio = max(Double(minWidth) / Double(height), Double(line.width) / Double(line.height))
        return Int(Double(height) * ratio)
    }

    /// The padded recognizer width rapidocr gives each line of one page: it sorts the lines by
    /// w/h, cuts them into batches of `batchSize` (6) and pads every line of a batch to
    /// `int(height * max(minWidth / height, widest w/h of the batch))`. The recognizer's output
    /// can depend on that padding (its spaces do), so a pipeline that matches rapidocr pads each
    /// line to this width. `lines` are the crops' (width, height), in any order; the result is in
    /// the same order.
    public static func recognitionWidths(forLines lines: [(width: Int, height: Int)], height: Int = 48,
                                         minWidth: Int = 320, batchSize: Int = 6) -> [Int] {
        let ratios = lines.map { Double($0.width) / Double($0.height) }
        // NumPy's argsort; lines of equal ratio keep their order (stable, as NumPy is on short arrays).
        let order = ratios.indices.sorted { (ratios[$0], $0) < (ratios[$1], $1) }
        let size = max(1, batchSize)
        var widths = [Int](repeating: 0, count: lines.count)
        for start in stride(from: 0, to: order.count, by: size) {
            let batch = order[start..<min(order.count, start + size)]
            let widest = batch.map { ratios[$0] }.reduce(Double(minWidth) / Double(height), max)
            for index in batch { widths[index] = Int(Double(height) * widest) }
        }
        return widths
    }
}
