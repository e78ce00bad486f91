import Foundation
import SwitchyardTensor

/// A folder of held-out or calibration samples, one `.npy` per model input per sample:
/// `DIR/NNNN.npy` when the model has one input, `DIR/NNNN/INPUT_NAME.npy` otherwise (a per-sample
/// folder is accepted for one-input models too). Samples are ordered by name; each array keeps its
/// batch dimension. Arrays are read when asked for, so a large set costs no memory up front.
/// With `preprocess`, a one-input model's folder may hold PNG or JPEG images instead, each made
/// into the input tensor when it is read.
public struct SampleSet: Sendable {
    /// One sample's location: a file (one-input model), a folder holding `INPUT_NAME.npy` files,
    /// or an image (with `preprocess`).
    public enum Location: Sendable, Equatable {
        case file(String)
        case folder(String)
        case image(String)
    }

    public let directory: String
    public let inputNames: [String]
    public let locations: [Location]
    /// How image samples become tensors; nil when the folder holds only arrays.
    public let preprocess: ImagePreprocessing?

    public var count: Int { locations.count }

    /// Lists the samples in `directory` for a model with inputs `inputNames`; throws when the folder
    /// is missing, holds no samples, or (one-input model) mixes files and folders.
    public init(directory: String, inputNames: [String], preprocess: ImagePreprocessing? = nil) throws(QuantizationError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw QuantizationError("sample folder '\(directory)' does not exist or is not a folder")
        }
        guard !inputNames.isEmpty else { throw QuantizationError("the model has no runtime inputs to feed from '\(directory)'") }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var locations: [Location] = []
        for entry in entries where !entry.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(entry)
            var entryIsDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &entryIsDirectory)
            if entryIsDirectory.boolValue {
                locations.append(.folder(path))
            } else if preprocess != nil,
                      ImagePreprocessing.fileExtensions.contains((entry as NSString).pathExtension.lowercased()) {
                guard inputNames.count == 1 else {
                    throw QuantizationError("'\(path)' is an image but the model has \(inputNames.count) inputs (\(inputNames.joined(separator: ", "))); images (--preprocess) feed one-input models only")
                }
                locations.append(.image(path))
            } else if entry.hasSuffix(".npy") {
                guard inputNames.count == 1 else {
                    throw QuantizationError("'\(path)' is a single .npy but the model has \(inputNames.count) inputs (\(inputNames.joined(separator: ", "))); put each sample in a folder NNNN/ with one INPUT_NAME.npy per input")
                }
                locations.append(.file(path))
            }
        }
        guard !locations.isEmpty else {
            let expected = inputNames.count == 1 ? (preprocess == nil ? "NNNN.npy files (or images, with --preprocess)" : "NNNN.npy files or PNG/JPEG images") : "NNNN/ folders"
            throw QuantizationError("sample folder '\(directory)' holds no samples: expected \(expected) with one .npy per model input (\(inputNames.joined(separator: ", ")))")
        }
        self.directory = directory
        self.inputNames = inputNames
        self.locations = locations
        self.preprocess = preprocess
    }

    /// The inputs of sample `index`, by input name.
    public func sample(at index: Int) throws(QuantizationError) -> [String: Tensor] {
        switch locations[index] {
        case .file(let path):
            return [inputNames[0]: try Self.read(path)]
        case .image(let path):
            guard let preprocess else { throw QuantizationError("\(path): an image sample needs --preprocess") }
            return [inputNames[0]: try preprocess.tensor(contentsOf: path)]
        case .folder(let folder):
            var inputs: [String: Tensor] = [:]
            for name in inputNames {
                let path = (folder as NSString).appendingPathComponent("\(name).npy")
                guard FileManager.default.fileExists(atPath: path) else {
                    throw QuantizationError("sample '\(folder)' has no '\(name).npy' for the model input '\(name)'")
                }
                inputs[name] = try Self.read(path)
            }
            return inputs
        }
    }

    /// Display name of sample `index` (its file or folder path).
    public func name(at index: Int) -> String {
        switch locations[index] {
        case .file(let path), .folder(let path), .image(let path): path
        }
    }

    /// Lines of a labels file, one per sample; throws when the count differs from the samples'.
    public func labels(contentsOf path: String) throws(QuantizationError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw QuantizationError("cannot read the labels file '\(path)' as UTF-8 text")
        }
        // Split on scalars: "\r\n" is a single Character, so a Character split would miss it.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            String(String.UnicodeScalarView($0.last == "\r" ? $0.dropLast() : $0))
        }
        if lines.last == "" { lines.removeLast() }
        guard lines.count == count else {
            throw QuantizationError("labels file '\(path)' has \(lines.count) lines but '\(directory)' holds \(count) samples; give one label per sample, in sample order")
        }
        return lines
    }

    private static func read(_ path: String) throws(QuantizationError) -> Tensor {
        do {
            return try Tensor(npyFile: path)
        } catch {
            throw QuantizationError("cannot read sample '\(path)': \(error)")
        }
    }
}
