import Foundation
import Yams

/// Reads a pipeline spec from YAML and checks it: every error names the spec file, the line, the
/// stage and the field.
public enum SpecLoader {
    /// A loaded spec with what building the pipeline needs besides the spec itself.
    public struct Loaded: Sendable {
        public var spec: PipelineSpec
        /// The directory relative paths in the spec are resolved against.
        public var baseDirectory: String
        /// The options of each processor stage, located for error messages.
        public var processorOptions: [String: ProcessorOptions]
    }

    /// Loads and checks the spec at `path`.
    public static func load(contentsOf path: String) throws(PipelineError) -> Loaded {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineError("\(path): cannot read the pipeline spec: \(error.localizedDescription)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try load(yaml: text, file: path, baseDirectory: directory)
    }

    /// Loads and checks a spec given as text; `file` names it in errors.
    public static func load(yaml: String, file: String = "<spec>", baseDirectory: String = ".") throws(PipelineError) -> Loaded {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw PipelineError("\(file): the spec is empty") }
            root = node
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError("\(file): not valid YAML: \(error)")
        }
        let document = SpecDocument(file: file, root: root)
        try rejectUnknownKeys(document)
        let spec: PipelineSpec
        do {
            spec = try YAMLDecoder().decode(PipelineSpec.self, from: root)
        } catch let error as DecodingError {
            throw describe(error, in: document)
        } catch {
            throw PipelineError("\(file): \(error)")
        }
        try SpecValidator(spec: spec, document: document).validate()
        var options: [String: ProcessorOptions] = [:]
        for (index, stage) in spec.stages.enumerated() where stage.type == .processor {
            var locations = ["": document.location(stage: index)]
            for (key, location) in document.keys(at: [.key("stages"), .index(index), .key("options")]) {
                locations[key] = location
            }
            options[stage.name] = ProcessorOptions(stage: stage.name, values: stage.options ?? [:], locations: locations,
                                                   baseDirectory: baseDirectory)
        }
        return Loaded(spec: spec, baseDirectory: baseDirectory, processorOptions: options)
    }

    /// Codable ignores keys it does not know; a misspelt field (`wokers:`) must not be silently dropped.
    private static func rejectUnknownKeys(_ document: SpecDocument) throws(PipelineError) {
        let topLevel = ["name", "repository", "stages"]
        for (key, location) in document.keys(at: []) where !topLevel.contains(key) {
            throw PipelineError("\(location): unknown field '\(key)' (a spec has: \(topLevel.joined(separator: ", ")))")
        }
        let stageFields = StageSpec.CodingKeys.allCases.map(\.rawValue)
        guard let stages = document.root.mapping?["stages"]?.sequence else { return }
        for index in stages.indices {
            let stageName = stages[index].mapping?["name"]?.string ?? "#\(index + 1)"
            for (key, location) in document.keys(at: [.key("stages"), .index(index)]) where !stageFields.contains(key) {
                throw PipelineError("\(location): stage '\(stageName)': unknown field '\(key)' (a stage has: \(stageFields.joined(separator: ", ")))")
            }
            let tensorFields = TensorSpec.CodingKeys.allCases.map(\.rawValue)
            for position in 0..<(stages[index].mapping?["tensors"]?.sequence?.count ?? 0) {
                for (key, location) in document.keys(at: [.key("stages"), .index(index), .key("tensors"), .index(position)])
                where !tensorFields.contains(key) {
                    throw PipelineError("\(location): stage '\(stageName)': field 'tensors': unknown field '\(key)' (a tensor has: \(tensorFields.joined(separator: ", ")))")
                }
            }
        }
    }

    private static func describe(_ error: DecodingError, in document: SpecDocument) -> PipelineError {
        let (path, detail): ([any CodingKey], String) = switch error {
        case .typeMismatch(let type, let context): (context.codingPath, "expected \(readable(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context): (context.codingPath, "expected \(readable(type)), found nothing")
        case .keyNotFound(let key, let context): (context.codingPath, "missing field '\(key.stringValue)'")
        case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
        @unknown default: ([], "\(error)")
        }
        let steps = SpecDocument.steps(path)
        var subject = ""
        if steps.count >= 2, case .key("stages") = steps[0], case .index(let index) = steps[1] {
            let name = document.root.mapping?["stages"]?.sequence?[index].mapping?["name"]?.string ?? "#\(index + 1)"
            subject = "stage '\(name)': "
            if steps.count >= 3, case .key(let field) = steps[2] { subject += "field '\(field)': " }
        } else if let first = steps.first, case .key(let field) = first {
            subject = "field '\(field)': "
        }
        return PipelineError("\(document.location(steps)): \(subject)\(detail)")
    }

    private static func readable(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }
}
