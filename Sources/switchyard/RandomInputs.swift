import SwitchyardGraph
import SwitchyardTensor

/// Benchmark inputs repeat run to run from their seed.
typealias SeededGenerator = SplitMix64

/// Seeded random inputs in a realistic range, never zero: floats of magnitude in [0.05, 1)
/// with either sign (normalized activations, images), small positive integers (indices and
/// ids stay in range), pixel-like bytes for `uint8`.
enum RandomInputs {
    static func make(for inputs: [ValueInfo], shapes: [String: [Int]], seed: UInt64) -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        var tensors: [String: Tensor] = [:]
        for input in inputs {
            guard let shape = shapes[input.name] else { continue }
            tensors[input.name] = tensor(input.dataType ?? .float32, shape: shape, using: &generator)
        }
        return tensors
    }

    static func tensor(_ type: DataType, shape: [Int], using generator: inout SeededGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        switch type {
        case .float16, .bfloat16, .float32, .float64:
            let values = (0..<count).map { _ -> Double in
                let magnitude = Double.random(in: 0.05..<1, using: &generator)
                return Bool.random(using: &generator) ? magnitude : -magnitude
            }
            return Tensor(dataType: type, shape: shape, doubles: values)
        case .uint8:
            return Tensor(dataType: type, shape: shape, int64s: (0..<count).map { _ in Int64.random(in: 1...255, using: &generator) })
        case .bool:
            return Tensor(shape: shape, scalars: (0..<count).map { _ in Bool.random(using: &generator) })
        case .string:
            return Tensor(shape: shape, strings: (0..<count).map { _ in String(Int.random(in: 1...9, using: &generator)) })
        default:
            return Tensor(dataType: type, shape: shape, int64s: (0..<count).map { _ in Int64.random(in: 1...9, using: &generator) })
        }
    }
}
