import Foundation
import ArgumentParser

/// A failure the command line reports to the user as one clear line (no usage dump).
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// `NAME=1x3x640x640`: a shape given for one model input.
struct ShapeAssignment: Equatable, ExpressibleByArgument {
    var name: String
    var dimensions: [Int]

    init(name: String, dimensions: [Int]) {
        self.name = name
        self.dimensions = dimensions
    }

    /// Parses `NAME=D0xD1x…`. The name may itself contain `=`; the last one separates.
    /// An empty shape (`NAME=`) declares a scalar.
    static func parse(_ text: String) throws(CLIError) -> ShapeAssignment {
        let (name, value) = try splitAssignment(text, what: "shape", example: "images=1x3x640x640")
        if value.isEmpty { return ShapeAssignment(name: name, dimensions: []) }
        var dimensions: [Int] = []
        for part in value.split(separator: "x", omittingEmptySubsequences: false) {
            guard let size = Int(part), size >= 0 else {
                throw CLIError("shape '\(text)': '\(part)' is not a dimension size; write sizes separated by 'x', e.g. \(name)=1x3x640x640")
            }
            dimensions.append(size)
        }
        return ShapeAssignment(name: name, dimensions: dimensions)
    }

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    static var defaultValueDescription: String { "NAME=1x3x640x640" }
}

/// `NAME=path/to/file.npy`: a file given for one model input.
struct InputFileAssignment: Equatable, ExpressibleByArgument {
    var name: String
    var path: String

    static func parse(_ text: String) throws(CLIError) -> InputFileAssignment {
        let (name, path) = try splitAssignment(text, what: "input", example: "images=image.npy")
        guard !path.isEmpty else { throw CLIError("input '\(text)' names no file; write NAME=FILE.npy") }
        return InputFileAssignment(name: name, path: path)
    }

    init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }
}

/// Splits `NAME=VALUE` at the last `=`, which a file path or shape never contains but an ONNX
/// value name may.
private func splitAssignment(_ text: String, what: String, example: String) throws(CLIError) -> (String, String) {
    guard let separator = text.lastIndex(of: "="), separator != text.startIndex else {
        throw CLIError("\(what) '\(text)' must look like \(example)")
    }
    return (String(text[..<separator]), String(text[text.index(after: separator)...]))
}

/// A comma-separated list of positive integers: `--batch 1,4,8`.
struct PositiveIntList: Equatable, ExpressibleByArgument {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    static func parse(_ text: String) throws(CLIError) -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), value > 0 else {
                throw CLIError("'\(text)' must be positive integers separated by commas, e.g. 1,4,8")
            }
            values.append(value)
        }
        return values
    }

    init?(argument: String) {
        guard let values = try? Self.parse(argument) else { return nil }
        self.values = values
    }

    static var defaultValueDescription: String { "1,4,8" }
}

extension Array where Element == ShapeAssignment {
    /// The shapes by input name; naming an input twice is an error.
    func byName() throws(CLIError) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for assignment in self {
            guard shapes[assignment.name] == nil else {
                throw CLIError("--shape gives input '\(assignment.name)' twice")
            }
            shapes[assignment.name] = assignment.dimensions
        }
        return shapes
    }
}
