import SwitchyardGraph
import SwitchyardTensor

/// What a shape rule sees of one node: the node, its opset and the facts of its inputs.
struct InferenceContext {
    let node: Node
    let opset: Int
    /// Facts aligned with `node.inputs`; `nil` for an omitted input or one nothing is known about.
    let inputs: [ValueFact?]

    func input(_ index: Int) -> ValueFact? {
        index < inputs.count ? inputs[index] : nil
    }

    func isPresent(_ index: Int) -> Bool {
        index < node.inputs.count && !node.inputs[index].isEmpty
    }

    func shape(_ index: Int) -> [Dimension]? { input(index)?.shape }
    func dataType(_ index: Int) -> DataType? { input(index)?.dataType }
    func ints(ofInput index: Int) -> [Int]? { input(index)?.knownInts }

    // MARK: Attributes (a malformed attribute reads as absent: inference never fails)

    func int(_ name: String) -> Int? {
        switch node.attributes[name] {
        case .int(let value)?: value
        default: nil
        }
    }

    func int(_ name: String, default value: Int) -> Int { int(name) ?? value }

    func float(_ name: String) -> Float? {
        switch node.attributes[name] {
        case .float(let value)?: value
        case .int(let value)?: Float(value)
        default: nil
        }
    }

    func ints(_ name: String) -> [Int]? {
        switch node.attributes[name] {
        case .ints(let values)?: values
        case .int(let value)?: [value]
        default: nil
        }
    }

    func floats(_ name: String) -> [Float]? {
        switch node.attributes[name] {
        case .floats(let values)?: values
        case .float(let value)?: [value]
        default: nil
        }
    }

    func string(_ name: String) -> String? {
        switch node.attributes[name] {
        case .string(let value)?: value
        default: nil
        }
    }

    func tensor(_ name: String) -> Tensor? {
        switch node.attributes[name] {
        case .tensor(let value)?: value
        default: nil
        }
    }

    /// Axes given as an attribute before `inputOpset` and as input `inputIndex` from then on.
    func axes(attributeBefore inputOpset: Int, inputIndex: Int) -> [Int]?? {
        if opset < inputOpset { return .some(ints("axes")) }
        guard isPresent(inputIndex) else { return .some(nil) }
        guard let values = ints(ofInput: inputIndex) else { return nil }
        return .some(values)
    }

    /// Resolves a possibly negative axis; `nil` when out of range.
    func axis(_ axis: Int, rank: Int) -> Int? {
        let resolved = axis < 0 ? axis + rank : axis
        return resolved >= 0 && resolved < rank ? resolved : nil
    }
}
