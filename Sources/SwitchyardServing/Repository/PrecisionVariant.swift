import Foundation

/// One precision of a model in a version directory: the full-precision file (`model.onnx`, or
/// `default_model_filename`) or a variant beside it named `<stem>.<precision>.onnx`
/// (`model.int8.onnx`, `model.fp16.onnx`, `model.bf16.onnx`: the names `switchyard quantize`
/// writes by default).
public struct PrecisionVariant: Sendable, Equatable {
    /// The name of the full-precision file's variant in `precision` and `shadow_reference`.
    public static let fullPrecision = "fp32"

    /// "fp32" for the full-precision file, else the middle part of `<stem>.<precision>.onnx`.
    public var precision: String
    /// The file name inside the version directory.
    public var fileName: String
    public var path: String
    /// Size on disk.
    public var fileBytes: Int

    public init(precision: String, fileName: String, path: String, fileBytes: Int) {
        self.precision = precision
        self.fileName = fileName
        self.path = path
        self.fileBytes = fileBytes
    }

    /// The file that holds `precision` when the full-precision file is `defaultFileName`:
    /// `model.onnx` → `model.int8.onnx`; a name without an extension gets `.int8` appended.
    public static func fileName(precision: String, defaultFileName: String) -> String {
        guard precision != fullPrecision else { return defaultFileName }
        let (stem, suffix) = split(defaultFileName)
        return "\(stem).\(precision)\(suffix)"
    }

    /// Every variant file in `directory`, full precision first, then by name.
    public static func variants(in directory: String, defaultFileName: String) -> [PrecisionVariant] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let (stem, suffix) = split(defaultFileName)
        var found: [PrecisionVariant] = []
        for name in names.sorted() {
            let precision: String
            if name == defaultFileName {
                precision = fullPrecision
            } else if name.hasPrefix(stem + "."), name.hasSuffix(suffix), name.count > stem.count + 1 + suffix.count {
                let middle = String(name.dropFirst(stem.count + 1).dropLast(suffix.count))
                guard isValidName(middle), middle != fullPrecision else { continue }
                precision = middle
            } else {
                continue
            }
            let path = "\(directory)/\(name)"
            guard let stamp = ModelFingerprint.stamp(name: name, path: path) else { continue }
            found.append(PrecisionVariant(precision: precision, fileName: name, path: path, fileBytes: Int(stamp.size)))
        }
        let rank = { (variant: PrecisionVariant) in variant.precision == fullPrecision ? 0 : 1 }
        return found.sorted { (rank($0), $0.fileName) < (rank($1), $1.fileName) }
    }

    /// A precision name is a plain token (letters, digits, `-`, `_`), so it can never name a
    /// file outside the version directory.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// `model.onnx` → ("model", ".onnx"); `model` → ("model", "").
    private static func split(_ fileName: String) -> (stem: String, suffix: String) {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return (fileName, "") }
        return (String(fileName[..<dot]), String(fileName[dot...]))
    }
}
