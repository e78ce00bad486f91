import Foundation
import SwitchyardTensor

/// Greedy CTC decoding of a text recognizer's per-step class probabilities, as rapidocr's
/// `CTCLabelDecode` does for PP-OCR: argmax per time step, collapse repeats, drop blanks; the
/// confidence is the mean of the kept steps' maximum probabilities (0 when nothing is kept).
///
/// The class table follows rapidocr's convention: index 0 is the CTC blank, then the dictionary in
/// order, then `" "` when `useSpaceCharacter` is set (rapidocr 1.4.4 always appends it).
public struct CTCGreedyDecoder: Sendable {
    /// The class table: `classes[0]` is the blank (an empty string), then the dictionary.
    public let classes: [String]

    /// A decoder for `characters` (the dictionary, without the blank).
    public init(characters: [String], useSpaceCharacter: Bool = true) {
        classes = [""] + characters + (useSpaceCharacter ? [" "] : [])
    }

    /// The PP-OCR dictionary stored in a recognition model's metadata under `key` (rapidocr reads
    /// `character`, one entry per line, split like Python's `str.splitlines`).
    public init(modelMetadata: [String: String], key: String = "character",
                useSpaceCharacter: Bool = true) throws(VisionError) {
        guard let text = modelMetadata[key] else {
            let keys = modelMetadata.keys.sorted().joined(separator: ", ")
            throw .invalidArgument("the model has no metadata key '\(key)' holding the character dictionary (its keys: [\(keys)]); pass a dictionary file such as ppocr_keys_v1.txt instead")
        }
        self.init(characters: Self.splitLines(text), useSpaceCharacter: useSpaceCharacter)
    }

    /// A dictionary file with one entry per line (e.g. PaddleOCR's `ppocr_keys_v1.txt`), read as
    /// rapidocr's `read_character_file` does: UTF-8, `\r` and `\n` stripped from both ends of each line.
    public init(dictionaryFile path: String, useSpaceCharacter: Bool = true) throws(VisionError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidArgument("cannot read the character dictionary '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidArgument("the character dictionary '\(path)' is not UTF-8 text")
        }
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let characters = lines.map { line -> String in
            var scalars = String.UnicodeScalarView(line)
            while let first = scalars.first, first == "\r" || first == "\n" { scalars.removeFirst() }
            while let last = scalars.last, last == "\r" || last == "\n" { scalars.removeLast() }
            return String(scalars)
        }
        self.init(characters: characters, useSpaceCharacter: useSpaceCharacter)
    }

    /// Decodes `probabilities` of shape `[N, T, C]` (Float32, C = `classes.count`) into one
    /// `(text, confidence)` per batch item.
    public func decode(_ probabilities: Tensor) throws(VisionError) -> [(text: String, confidence: Float)] {
        guard probabilities.dataType == .float32, probabilities.rank == 3 else {
            throw .invalidArgument("CTC decoding expects float32 probabilities of shape [N, T, C], got \(probabilities.dataType) \(probabilities.shape)")
        }
        let (batch, steps, classCount) = (probabilities.shape[0], probabilities.shape[1], probabilities.shape[2])
        guard classCount == classes.count else {
            throw .invalidArgument("the recognizer outputs \(classCount) classes per step but the dictionary gives \(classes.count) (blank + \(classes.count - 1) entries); use the model's own dictionary")
        }
        return probabilities.withUnsafeBufferPointer(of: Float.self) { values in
            (0..<batch).map { item in
                decodeItem(values, base: item * steps * classCount, steps: steps, classCount: classCount)
            }
        }
    }

    private func decodeItem(_ values: UnsafeBufferPointer<Float>, base: Int, steps: Int,
                            classCount: Int) -> (text: String, confidence: Float) {
        var text = ""
        var confidenceSum = 0.0, kept = 0
        var previous = -1
        for step in 0..<steps {
            let row = base + step * classCount
            var best = 0
            var bestValue = values[row]
            for index in 1..<classCount where values[row + index] > bestValue {
                best = index
                bestValue = values[row + index]
            }
            defer { previous = best }
            if best == previous || best == 0 { continue }
            text += classes[best]
            confidenceSum += Double(bestValue)
            kept += 1
        }
        return (text, kept == 0 ? 0 : Float(confidenceSum / Double(kept)))
    }

    /// Python's `str.splitlines()`: splits on every line boundary it knows, `\r\n` counted once,
    /// no trailing empty entry.
    static func splitLines(_ text: String) -> [String] {
        let boundaries: Set<Unicode.Scalar> = ["\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}",
                                               "\u{85}", "\u{2028}", "\u{2029}"]
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && afterCarriageReturn {
                afterCarriageReturn = false
                continue
            }
            afterCarriageReturn = scalar == "\r"
            if boundaries.contains(scalar) {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }
}
