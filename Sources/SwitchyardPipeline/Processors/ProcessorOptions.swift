/// The typed view of a processor stage's `options:` mapping. Each accessor names the spec file,
/// line, stage and option in its error, so a processor validates its options in one line each:
///
///     let threshold = try options.float("threshold", default: 0.3)
///     let mean = try options.floats("mean")
public struct ProcessorOptions: Sendable {
    /// The stage these options belong to.
    public let stage: String
    /// The options as written.
    public let values: [String: OptionValue]
    /// The spec file's folder: `path(_:)` resolves relative paths against it.
    public let baseDirectory: String
    /// "spec.yaml:12:7" per option key, and for the stage itself under "".
    private let locations: [String: String]

    public init(stage: String, values: [String: OptionValue] = [:], locations: [String: String] = [:], baseDirectory: String = ".") {
        self.stage = stage
        self.values = values
        self.locations = locations
        self.baseDirectory = baseDirectory
    }

    public func contains(_ key: String) -> Bool { values[key] != nil }

    public func string(_ key: String) throws(PipelineError) -> String {
        switch try required(key) {
        case .string(let value): return value
        case let other: throw mismatch(key, expected: "a string", got: other)
        }
    }

    public func string(_ key: String, default fallback: String) throws(PipelineError) -> String {
        values[key] == nil ? fallback : try string(key)
    }

    public func int(_ key: String) throws(PipelineError) -> Int {
        switch try required(key) {
        case .int(let value): return value
        case let other: throw mismatch(key, expected: "an integer", got: other)
        }
    }

    public func int(_ key: String, default fallback: Int) throws(PipelineError) -> Int {
        values[key] == nil ? fallback : try int(key)
    }

    public func double(_ key: String) throws(PipelineError) -> Double {
        switch try required(key) {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case let other: throw mismatch(key, expected: "a number", got: other)
        }
    }

    public func double(_ key: String, default fallback: Double) throws(PipelineError) -> Double {
        values[key] == nil ? fallback : try double(key)
    }

    public func float(_ key: String) throws(PipelineError) -> Float { Float(try double(key)) }

    public func float(_ key: String, default fallback: Float) throws(PipelineError) -> Float {
        values[key] == nil ? fallback : try float(key)
    }

    public func bool(_ key: String) throws(PipelineError) -> Bool {
        switch try required(key) {
        case .bool(let value): return value
        case let other: throw mismatch(key, expected: "true or false", got: other)
        }
    }

    public func bool(_ key: String, default fallback: Bool) throws(PipelineError) -> Bool {
        values[key] == nil ? fallback : try bool(key)
    }

    /// A list of numbers, e.g. `mean: [0.485, 0.456, 0.406]`.
    public func floats(_ key: String) throws(PipelineError) -> [Float] {
        guard case .list(let list) = try required(key) else { throw mismatch(key, expected: "a list of numbers", got: values[key]!) }
        var result: [Float] = []
        for element in list {
            switch element {
            case .double(let value): result.append(Float(value))
            case .int(let value): result.append(Float(value))
            default: throw mismatch(key, expected: "a list of numbers", got: element)
            }
        }
        return result
    }

    public func floats(_ key: String, default fallback: [Float]) throws(PipelineError) -> [Float] {
        values[key] == nil ? fallback : try floats(key)
    }

    /// A list of strings, e.g. `labels: [cat, dog]`.
    public func strings(_ key: String) throws(PipelineError) -> [String] {
        guard case .list(let list) = try required(key) else { throw mismatch(key, expected: "a list of strings", got: values[key]!) }
        var result: [String] = []
        for element in list {
            guard case .string(let value) = element else { throw mismatch(key, expected: "a list of strings", got: element) }
            result.append(value)
        }
        return result
    }

    public func strings(_ key: String, default fallback: [String]) throws(PipelineError) -> [String] {
        values[key] == nil ? fallback : try strings(key)
    }

    /// A file path, relative to the spec file's folder unless absolute, e.g. `dictionary: keys.txt`.
    public func path(_ key: String) throws(PipelineError) -> String {
        Pipeline.resolve(try string(key), base: baseDirectory)
    }

    public func path(_ key: String, default fallback: String) throws(PipelineError) -> String {
        Pipeline.resolve(try string(key, default: fallback), base: baseDirectory)
    }

    /// One of `allowed`, e.g. `layout: nchw`.
    public func choice(_ key: String, of allowed: [String], default fallback: String? = nil) throws(PipelineError) -> String {
        if values[key] == nil, let fallback { return fallback }
        let value = try string(key)
        guard allowed.contains(value) else {
            throw error(key, "expected one of \(allowed.joined(separator: ", ")), got \"\(value)\"")
        }
        return value
    }

    /// Fails on option keys the processor does not know (catches typos such as `treshold`).
    public func rejectUnknown(allowed: [String]) throws(PipelineError) {
        for key in values.keys.sorted() where !allowed.contains(key) {
            throw error(key, "unknown option (this processor takes: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// An error about option `key`, located at its line: for checks the accessors cannot make
    /// ("must be positive").
    public func error(_ key: String, _ message: String) -> PipelineError {
        let location = locations[key] ?? locations[""] ?? ""
        return PipelineError("\(location.isEmpty ? "" : location + ": ")stage '\(stage)': option '\(key)': \(message)")
    }

    private func required(_ key: String) throws(PipelineError) -> OptionValue {
        guard let value = values[key] else { throw error(key, "missing (add it under options:)") }
        return value
    }

    private func mismatch(_ key: String, expected: String, got: OptionValue) -> PipelineError {
        error(key, "expected \(expected), got \(got.summary)")
    }
}
