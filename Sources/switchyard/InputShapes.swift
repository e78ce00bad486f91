import SwitchyardGraph

/// Concrete input shapes for a run: each input's declared shape with its free dimensions
/// filled from `--shape`, the batch size (axis 0) and, for a named dimension, whatever size
/// another input's `--shape` gave that name.
enum InputShapes {
    /// `given` are the `--shape` assignments; `batch` fills a free axis 0 (and replaces axis 0
    /// of a given shape when the model declares it free). Without `batch`, a free axis 0 is 1.
    static func resolve(_ inputs: [ValueInfo], given: [String: [Int]], batch: Int? = nil) throws(CLIError) -> [String: [Int]] {
        let names = Set(inputs.map(\.name))
        for name in given.keys.sorted() where !names.contains(name) {
            throw CLIError("--shape names '\(name)', which is not an input of the model; its inputs are \(inputs.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        // Sizes of named dimensions fixed by the shapes given.
        var symbols: [String: Int] = [:]
        for input in inputs {
            guard let declared = input.shape, let shape = given[input.name], shape.count == declared.count else { continue }
            for (axis, dimension) in declared.enumerated() {
                if case .symbolic(let symbol) = dimension, !(axis == 0 && batch != nil) { symbols[symbol] = shape[axis] }
            }
        }

        var shapes: [String: [Int]] = [:]
        for input in inputs {
            if let shape = given[input.name] {
                shapes[input.name] = try check(shape, against: input, batch: batch)
                continue
            }
            guard let declared = input.shape else {
                throw CLIError("input '\(input.name)' has no declared shape; give one with --shape \(input.name)=…")
            }
            var shape: [Int] = []
            for (axis, dimension) in declared.enumerated() {
                switch dimension {
                case .fixed(let size): shape.append(size)
                case .symbolic(let symbol) where axis != 0 && symbols[symbol] != nil: shape.append(symbols[symbol]!)
                case _ where axis == 0: shape.append(batch ?? 1)
                default:
                    throw CLIError("input '\(input.name)' has free dimension \(axis) (\(dimension)) in [\(declared.map(\.description).joined(separator: ", "))]; give its size with --shape \(input.name)=\(example(declared, batch: batch))")
                }
            }
            shapes[input.name] = shape
        }
        return shapes
    }

    /// `shape` checked against the declaration: same rank, equal fixed sizes; a free axis 0
    /// takes `batch`.
    private static func check(_ shape: [Int], against input: ValueInfo, batch: Int?) throws(CLIError) -> [Int] {
        guard let declared = input.shape else { return shape }
        guard declared.count == shape.count else {
            throw CLIError("--shape \(input.name) has rank \(shape.count) but the model declares rank \(declared.count): [\(declared.map(\.description).joined(separator: ", "))]")
        }
        var result = shape
        for (axis, dimension) in declared.enumerated() {
            if case .fixed(let size) = dimension, size != shape[axis] {
                throw CLIError("--shape \(input.name) gives dimension \(axis) as \(shape[axis]) but the model fixes it at \(size)")
            }
            if axis == 0, dimension.fixedValue == nil, let batch { result[0] = batch }
        }
        return result
    }

    /// A `--shape` value for the message: fixed sizes kept, free ones shown by name.
    private static func example(_ declared: [Dimension], batch: Int?) -> String {
        declared.enumerated().map { axis, dimension in
            if let size = dimension.fixedValue { return "\(size)" }
            if axis == 0 { return "\(batch ?? 1)" }
            return dimension == .unknown ? "<size>" : "<\(dimension)>"
        }.joined(separator: "x")
    }

    /// The batch sizes to run. With a free axis 0 on some input, `requested` (default `[1]`);
    /// otherwise the model fixes its batch (axis 0 of its first input, 1 without one) and
    /// asking for another is an error.
    static func batchSizes(requested: [Int]?, for inputs: [ValueInfo]) throws(CLIError) -> [Int] {
        let hasFreeBatch = inputs.contains { input in
            guard let first = input.shape?.first else { return input.shape == nil }
            return first.fixedValue == nil
        }
        if hasFreeBatch { return requested ?? [1] }
        let fixed = inputs.lazy.compactMap { $0.shape?.first?.fixedValue }.first ?? 1
        for batch in requested ?? [] where batch != fixed {
            throw CLIError("the model fixes its batch size at \(fixed) (no input has a free dimension 0); --batch \(batch) cannot run")
        }
        return [fixed]
    }
}
